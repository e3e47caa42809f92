import * as tf from '@tensorflow/tfjs-core';
import { Generator, nn, ready } from '../../sdk/index';
import { formatValues, show } from './format';

const { BatchNorm1d } = nn;

export const description = 'nn.BatchNorm1d(3): per-feature normalisation, running statistics, train vs eval';

export async function run(): Promise<void> {
  await ready();
  const generator = new Generator(0);
  const bn = new BatchNorm1d(3);
  // Features on very different scales: around 10, 0 and −100.
  const batchOf = (rows: number) =>
    tf.add(tf.mul(tf.tensor2d(generator.uniform(rows * 3, -1, 1), [rows, 3]), [1, 5, 20]), [10, 0, -100]);

  for (let step = 1; step <= 3; step++) {
    const x = batchOf(8);
    const y = bn.forward(x);
    const { mean, variance } = tf.moments(y, 0);
    console.log(`batch ${step}: output mean per feature ${formatValues(mean)}, variance ${formatValues(variance)}`);
  }
  const state = bn.stateDict();
  console.log(`\nafter 3 batches (momentum 0.1):`);
  console.log(`  running_mean ${formatValues(state.running_mean)}, running_var ${formatValues(state.running_var)}`);
  console.log(`  num_batches_tracked ${state.num_batches_tracked.dataSync()[0]}\n`);

  const x = batchOf(4);
  show('a new batch x', x, 3);
  show('train mode: normalised with the batch statistics', bn.train().forward(x));
  show('eval mode: normalised with the running statistics (not yet converged after 3 batches)', bn.eval().forward(x));
}
