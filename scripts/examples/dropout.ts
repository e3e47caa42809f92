import * as tf from '@tensorflow/tfjs-core';
import { Generator, nn, ready } from '../../sdk/index';
import { show } from './format';

const { Dropout } = nn;

export const description = 'nn.Dropout(0.5) in train vs eval mode: zeroed elements and inverted scaling by 1/(1 − p)';

export async function run(): Promise<void> {
  await ready();
  const p = 0.5;
  const dropout = new Dropout(p, new Generator(0));
  const x = tf.ones([2, 8]);
  show('x', x, 1);

  dropout.train();
  const scaling = `survivors are scaled by 1/(1 − p) = ${1 / (1 - p)}`;
  show(`train mode: each element is zeroed with probability ${p}, ${scaling}`, dropout.forward(x), 1);
  const mean = tf.mean(dropout.forward(tf.ones([100_000]))).dataSync()[0];
  console.log(`train mode keeps the expected value: the mean over 100000 ones is ${mean.toFixed(4)}\n`);

  dropout.eval();
  show('eval mode: the identity, no scaling needed', dropout.forward(x), 1);
}
