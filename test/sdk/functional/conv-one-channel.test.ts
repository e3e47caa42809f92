import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { resolveConv2dOptions } from '../../../sdk/functional/conv';
import { conv2d, outputSize, type Conv2dOptions } from '../../../sdk/functional/index';

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

/**
 * The documented sum, output by output: bias + Σ weight · input over the taps inside the input, in kernel order
 * (row by row), in float64, rounded to float32 once. `x` is `[N, 1, H, W]` or `[1, H, W]`.
 */
function definition(x: tf.Tensor, weight: tf.Tensor, bias: number, options: Conv2dOptions): number[] {
  const [height, width] = x.shape.slice(-2);
  const [kh, kw] = weight.shape.slice(-2);
  const { stride, dilation, padding } = resolveConv2dOptions([kh, kw], options);
  const [input, weights] = [x.dataSync(), weight.dataSync()];
  const outHeight = outputSize(height + padding[0][0] + padding[0][1], kh, { stride: stride[0], dilation: dilation[0] });
  const outWidth = outputSize(width + padding[1][0] + padding[1][1], kw, { stride: stride[1], dilation: dilation[1] });
  const output: number[] = [];
  for (let plane = 0; plane < input.length; plane += height * width) {
    for (let p = 0; p < outHeight; p++) {
      for (let q = 0; q < outWidth; q++) {
        let sum = bias;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const row = p * stride[0] + a * dilation[0] - padding[0][0];
            const column = q * stride[1] + b * dilation[1] - padding[1][0];
            const inside = row >= 0 && row < height && column >= 0 && column < width;
            if (inside) sum += weights[a * kw + b] * input[plane + row * width + column];
          }
        }
        output.push(Math.fround(sum));
      }
    }
  }
  return output;
}

/**
 * An input whose float64 window sums depend on their order: 2⁶⁰ every third column of every third row, −2⁶⁰ in the row
 * below, small values elsewhere. Under weights constant down each column (columnWeights) the big terms of a window
 * cancel, and which small terms survive depends on when they are added. With `specials`, NaN and ±Infinity too.
 */
function awkward(shape: number[], specials: boolean): tf.Tensor {
  const [height, width] = shape.slice(-2);
  const small = [1, -0.75, 3, 2 ** -30, -2, 0.5, 0];
  const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => {
    const [row, column] = [Math.floor(i / width) % height, i % width];
    if (specials && i % 17 === 5) return [NaN, Infinity, -Infinity][i % 3];
    if (column % 3 === 0 && row % 3 < 2) return row % 3 === 0 ? 2 ** 60 : -(2 ** 60);
    return small[i % small.length];
  });
  return tf.tensor(data, shape);
}

/** A `[1, 1, kh, kw]` weight constant down each column, a zero among them. */
function columnWeights(kh: number, kw: number): tf.Tensor {
  const columns = [1, 0, -2, 0.5, -1];
  return tf.tensor(Array.from({ length: kh * kw }, (_, t) => columns[t % kw]), [1, 1, kh, kw]);
}

describe('conv2d from one channel to one outside a gradient tape is the documented sum, bit for bit', () => {
  // 3×3 at stride 1 and dilation 1 slides over the interior (its borders take the row loop); the rest take the row loop.
  const cases: [string, number[], number[], number, Conv2dOptions][] = [
    ['3×3, valid, batch 2, bias', [2, 1, 9, 11], [3, 3], 0.25, {}],
    ['3×3, padding 1 on every side, odd sizes', [1, 1, 7, 9], [3, 3], 0, { padding: 1 }],
    ['3×3, padding above and below only, unbatched', [1, 6, 5], [3, 3], 0, { padding: [2, 0] }],
    ['3×3, padding left and right only, wider than the kernel reaches', [1, 1, 5, 4], [3, 3], -1, { padding: [0, 3] }],
    ["3×3, 'full'", [1, 1, 5, 8], [3, 3], 0, { padding: 'full' }],
    ['3×3 on a 1-pixel-wide input', [1, 1, 7, 1], [3, 3], 0, { padding: 1 }],
    ['3×3 on a 1-pixel-high input', [1, 1, 1, 7], [3, 3], 0, { padding: 1 }],
    ['3×3 on a 2×2 input', [2, 1, 2, 2], [3, 3], 0, { padding: 1 }],
    ['3×3 on a 3-pixel-wide input, one interior column', [1, 1, 6, 3], [3, 3], 0, { padding: 1 }],
    ['3×3, stride 2 (row loop)', [1, 1, 9, 10], [3, 3], 0, { stride: 2, padding: 1 }],
    ['3×3, dilation 2 (row loop)', [1, 1, 9, 10], [3, 3], 0, { dilation: 2, padding: 2 }],
    ["4×2, 'same', padding more on one side (row loop)", [1, 1, 6, 7], [4, 2], 0, { padding: 'same' }],
    ['5×3, stride 2×3, padding [2, 1] (row loop)', [2, 1, 13, 17], [5, 3], 0.5, { stride: [2, 3], padding: [2, 1] }],
  ];

  it.each(cases)('%s', (_, xShape, [kh, kw], biasValue, options) => {
    for (const specials of [false, true]) {
      const x = awkward(xShape, specials);
      const weight = columnWeights(kh, kw);
      const bias = biasValue === 0 ? undefined : tf.tensor1d([biasValue]);
      const y = conv2d(x, weight, bias, options);
      expect(Array.from(y.dataSync())).toEqual(definition(x, weight, biasValue, options));
      tf.dispose([x, weight, y, ...(bias ? [bias] : [])]);
    }
  });
});
