import * as tf from '@tensorflow/tfjs-core';
import { nn, ready } from '../../sdk/index';
import { show } from './format';

type Module = nn.Module;
const { AvgPool2d, MaxPool2d } = nn;

export const description = 'the classic 4×4 and 5×5 pooling examples: max and average, with and without ceil_mode';

export async function run(): Promise<void> {
  await ready();
  const small = tf.tensor4d([1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4], [1, 1, 4, 4]);
  const counting = tf.reshape(tf.range(1, 26, 1, 'float32'), [1, 1, 5, 5]);
  const examples: [string, tf.Tensor, Module][] = [
    ['MaxPool2d(2)', small, new MaxPool2d(2)],
    ['AvgPool2d(2)', small, new AvgPool2d(2)],
    ['MaxPool2d(3, stride=2)', counting, new MaxPool2d(3, { stride: 2 })],
    ['AvgPool2d(3, stride=2)', counting, new AvgPool2d(3, { stride: 2 })],
    ['MaxPool2d(2, ceil_mode=True): the partial last row and column count', counting, new MaxPool2d(2, { ceilMode: true })],
  ];
  let previous: tf.Tensor | undefined;
  for (const [name, input, layer] of examples) {
    if (input !== previous) show('input', input, 0);
    previous = input;
    show(name, layer.forward(input), 2);
  }
}
