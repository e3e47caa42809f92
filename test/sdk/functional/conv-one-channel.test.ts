import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { conv2d, type Conv2dOptions } from '../../../sdk/functional/index';

beforeAll(ready);

/** conv2d while a gradient tape records: the path training takes (tfjs's Conv2D, convolve.ts). */
function taped(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined, options: Conv2dOptions, like: tf.Tensor): tf.Tensor {
  let output!: tf.Tensor;
  const dy = tf.onesLike(like);
  const dx = tf.grad((input: tf.Tensor) => (output = tf.keep(conv2d(input, weight, bias, options))))(x, dy);
  tf.dispose([dx, dy]);
  return output;
}

/** Same shape; NaN equals NaN, other values within float32 rounding of sums of a few products. */
function expectSame(direct: tf.Tensor, reference: tf.Tensor): void {
  expect(direct.shape).toEqual(reference.shape);
  const [actual, expected] = [direct.dataSync(), reference.dataSync()];
  const bad = Array.from(actual).findIndex((v, i) => !(Object.is(v, expected[i]) || Math.abs(v - expected[i]) <= 1e-5));
  expect(bad, `element ${bad}: ${actual[bad]} vs ${expected[bad]}`).toBe(-1);
}

describe('conv2d from one channel to one outside a gradient tape (a direct loop) gives what the taped path gives', () => {
  const cases: [string, number[], number[], boolean, Conv2dOptions][] = [
    ['3×3, valid, batch 2, bias', [2, 1, 9, 11], [1, 1, 3, 3], true, {}],
    ['unbatched, padding 1', [1, 8, 7], [1, 1, 3, 3], false, { padding: 1 }],
    ['stride 2×3, padding [2, 1]', [1, 1, 13, 17], [1, 1, 3, 5], true, { stride: [2, 3], padding: [2, 1] }],
    ["'same' with an even kernel and dilation 2×1", [1, 1, 10, 9], [1, 1, 4, 2], false, { padding: 'same', dilation: [2, 1] }],
    ["'full'", [1, 1, 5, 6], [1, 1, 3, 3], true, { padding: 'full' }],
    ['stride and dilation both above 1, with padding', [2, 1, 15, 16], [1, 1, 3, 3], true, { stride: 3, dilation: 2, padding: 4 }],
    ['padding wider than the kernel reaches', [1, 1, 4, 5], [1, 1, 2, 2], false, { padding: [5, 3], stride: 2 }],
  ];

  it.each(cases)('%s', (_, xShape, wShape, withBias, options) => {
    const x = tf.randomUniform(xShape, -1, 1, 'float32', 1);
    const weight = tf.randomUniform(wShape, -1, 1, 'float32', 2);
    const bias = withBias ? tf.randomUniform([wShape[0]], -1, 1, 'float32', 3) : undefined;
    const direct = conv2d(x, weight, bias, options);
    const reference = taped(x, weight, bias, options, direct);
    expectSame(direct, reference);
    tf.dispose([x, weight, direct, reference, ...(bias ? [bias] : [])]);
  });

  it('propagates NaN and infinities through every tap, zero weights included, as PyTorch does', () => {
    const x = tf.tensor4d([1, Infinity, 2, 3, NaN, 4, 5, 6, 7], [1, 1, 3, 3]);
    const weight = tf.tensor4d([0, 1, 0, 1, 0, 1, 0, 1, 0], [1, 1, 3, 3]);
    const y = conv2d(x, weight, undefined, { padding: 1 });
    const reference = taped(x, weight, undefined, { padding: 1 }, y);
    expectSame(y, reference);
    expect(Number.isNaN(y.dataSync()[4])).toBe(true); // 0 · NaN at the centre tap
    tf.dispose([x, weight, y, reference]);
  });
});
