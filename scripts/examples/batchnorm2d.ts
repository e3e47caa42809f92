import * as tf from '@tensorflow/tfjs-core';
import { Generator, nn, ready } from '../../sdk/index';
import { formatValues, show } from './format';

const { BatchNorm2d } = nn;

export const description = 'nn.BatchNorm2d(2): per-channel statistics over N, H and W; running stats; train vs eval';

export async function run(): Promise<void> {
  await ready();
  const generator = new Generator(0);
  const bn = new BatchNorm2d(2);
  // Channel 0 around 5 with spread 1, channel 1 around −3 with spread 4.
  const batchOf = (n: number) => {
    const noise = tf.tensor4d(generator.uniform(n * 2 * 3 * 3, -1, 1), [n, 2, 3, 3]);
    return tf.add(tf.mul(noise, tf.reshape([1, 4], [1, 2, 1, 1])), tf.reshape([5, -3], [1, 2, 1, 1]));
  };

  for (let step = 1; step <= 3; step++) {
    const y = bn.forward(batchOf(4));
    const { mean, variance } = tf.moments(y, [0, 2, 3]);
    console.log(`batch ${step}: output mean per channel ${formatValues(mean)}, variance ${formatValues(variance)}`);
  }
  const state = bn.stateDict();
  console.log(`\nrunning_mean ${formatValues(state.running_mean)}  running_var ${formatValues(state.running_var)}  ` +
    `num_batches_tracked ${state.num_batches_tracked.dataSync()[0]}`);
  console.log('(each step: running = 0.9·running + 0.1·batch statistic; the variance is the unbiased one)\n');

  const x = batchOf(1);
  show('x, one image of 2 channels', x, 3);
  show('train mode (batch statistics of this one image)', bn.train().forward(x));
  show('eval mode (running statistics)', bn.eval().forward(x));
}
