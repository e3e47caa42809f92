import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedConv2dOptions } from './convolve';
import { isOne } from './window';

/**
 * conv2d's forward for one input and one output channel (`x` `[N, 1, H, W]` or `[1, H, W]`, `weight`
 * `[1, 1, kh, kw]`), as a direct loop over the values. tfjs's wasm Conv2D (XNNPACK) is made for many channels: with
 * one, its output-channel tiles are nearly empty and two thirds of its time in workerd's profile is spent outside its
 * multiply-add kernel (setting up per output position). Measured in workerd (npm run bench -- image, rocket.jpg as a
 * 427×640 grey photo, sobel_x; 2-core AMD EPYC): Conv2D 9–10 ms for one output channel and 13–14 ms for five; this
 * function 6.4 ms with the row loop alone, 2.1 ms with the 3×3 slide (slide3x3), copies in and out of tfjs included.
 * conv2d sends it one output channel at a time only (conv.ts).
 *
 * Each output is the bias plus Σ weight · input over the taps that land inside the input (padding adds zeros), summed
 * in float64 in kernel order (row by row) and rounded to float32 once; no tap is skipped, so NaN and ±Infinity
 * propagate as PyTorch's do. `outputShape` is conv2d's (checkShapes).
 */
export function convolveOneChannel(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  options: ResolvedConv2dOptions,
  outputShape: readonly number[],
): tf.Tensor {
  const [height, width] = x.shape.slice(-2);
  const [kh, kw] = weight.shape.slice(-2);
  const [outHeight, outWidth] = outputShape.slice(-2);
  const input = x.dataSync();
  const weights = weight.dataSync();
  const biasValue = bias ? bias.dataSync()[0] : 0;
  const output = new Float32Array(outputShape.reduce((a, b) => a * b, 1));
  const rows = rowConvolver(input, weights, biasValue, [height, width, kh, kw], options, output, outWidth);
  // A 3×3 kernel at stride 1 and dilation 1 (the image routes' case) slides over the outputs whose window lies inside
  // the input; the other outputs, and every other kernel, take the row loop.
  const slides = kh === 3 && kw === 3 && isOne(options.stride) && isOne(options.dilation);
  const [top, left] = [options.padding[0][0], options.padding[1][0]];
  const first = Math.min(left, outWidth);
  const end = Math.max(first, Math.min(outWidth, width - 2 + left));
  const items = input.length / (height * width);
  for (let n = 0, at = 0; n < items; n++) {
    const plane = n * height * width;
    for (let p = 0, row = -top; p < outHeight; p++, row++, at += outWidth) {
      if (!slides || row < 0 || row + 2 >= height || first === end) {
        rows(plane, p, 0, outWidth, at);
        continue;
      }
      rows(plane, p, 0, first, at);
      slide3x3(input, weights, biasValue, plane + row * width + first - left, width, output, at + first, at + end);
      rows(plane, p, end, outWidth, at);
    }
  }
  return tf.tensor(output, [...outputShape]);
}

/**
 * The general loop, columns `from`–`to` of output row `p` at a time: each tap adds its products to a float64 row of
 * sums, over the output columns whose tap lands inside the input, so every output gets its taps in kernel order.
 */
function rowConvolver(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  biasValue: number,
  [height, width, kh, kw]: number[],
  { stride, dilation, padding }: ResolvedConv2dOptions,
  output: Float32Array,
  outWidth: number,
): (plane: number, p: number, from: number, to: number, at: number) => void {
  const [top, left] = [padding[0][0], padding[1][0]];
  const [rowStep, step] = stride;
  // Per kernel column: where its tap reads for output column 0, and the output columns whose tap reads inside.
  const offsets = Array.from({ length: kw }, (_, b) => b * dilation[1] - left);
  const firsts = offsets.map((offset) => Math.max(0, Math.ceil(-offset / step)));
  const ends = offsets.map((offset) => Math.min(outWidth, Math.floor((width - 1 - offset) / step) + 1));
  const sums = new Float64Array(outWidth);
  return (plane, p, from, to, at) => {
    if (from >= to) return;
    sums.fill(biasValue, from, to);
    for (let a = 0; a < kh; a++) {
      const row = p * rowStep + a * dilation[0] - top;
      if (row < 0 || row >= height) continue;
      for (let b = 0; b < kw; b++) {
        const w = weights[a * kw + b];
        const start = Math.max(from, firsts[b]);
        const stop = Math.min(to, ends[b]);
        for (let q = start, i = plane + row * width + q * step + offsets[b]; q < stop; q++, i += step) sums[q] += w * input[i];
      }
    }
    output.set(sums.subarray(from, to), at + from);
  };
}

/**
 * Outputs `from`–`to` of a 3×3 kernel at stride 1 whose windows lie inside the input, the first window's top-left
 * input at `origin`. Each output sums in a register, in kernel order, and each step loads only the window's new
 * column. Measured in Node 20.20.2 on a 2-core AMD EPYC, sobel_x on a 427×640 photo: the whole forward 7.3 ms with
 * the row loop alone, 1.8 ms with this; loading all nine taps per output took 2.2 ms for the loop alone, this 1.0.
 */
function slide3x3(
  input: ArrayLike<number>,
  weights: ArrayLike<number>,
  bias: number,
  origin: number,
  width: number,
  output: Float32Array,
  from: number,
  to: number,
): void {
  const [w0, w1, w2] = [weights[0], weights[1], weights[2]];
  const [w3, w4, w5] = [weights[3], weights[4], weights[5]];
  const [w6, w7, w8] = [weights[6], weights[7], weights[8]];
  const [up, mid, down] = [origin, origin + width, origin + 2 * width];
  let [u0, u1, m0, m1, d0, d1] = [input[up], input[up + 1], input[mid], input[mid + 1], input[down], input[down + 1]];
  // Plain statements: destructuring the window's shift in the loop made the forward 1.35× slower.
  for (let o = from, i = 2; o < to; o++, i++) {
    const u2 = input[up + i];
    const m2 = input[mid + i];
    const d2 = input[down + i];
    output[o] = bias + w0 * u0 + w1 * u1 + w2 * u2 + w3 * m0 + w4 * m1 + w5 * m2 + w6 * d0 + w7 * d1 + w8 * d2;
    u0 = u1;
    u1 = u2;
    m0 = m1;
    m1 = m2;
    d0 = d1;
    d1 = d2;
  }
}
