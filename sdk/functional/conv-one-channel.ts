import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedConv2dOptions } from './convolve';

/**
 * conv2d's forward for one input and one output channel (`x` `[N, 1, H, W]` or `[1, H, W]`, `weight`
 * `[1, 1, kh, kw]`), as a direct loop over the values. tfjs's wasm Conv2D (XNNPACK) is made for many channels: with
 * one, its output-channel tiles are nearly empty and two thirds of its time in workerd's profile is spent outside its
 * multiply-add kernel (setting up per output position). Measured in workerd (npm run bench -- image, a 427×640 grey
 * photo, 3×3): Conv2D 9–10 ms for one output channel and 13–14 ms for five, this loop 5–7 ms per output channel; so
 * it serves a single output channel only.
 *
 * Each output is the bias plus Σ weight · input over the taps that land inside the input (padding adds zeros), summed
 * in float64 and rounded to float32 once; no tap is skipped, so NaN and ±Infinity propagate as PyTorch's do.
 * `outputShape` is conv2d's (checkShapes).
 */
export function convolveOneChannel(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  { stride, dilation, padding }: ResolvedConv2dOptions,
  outputShape: readonly number[],
): tf.Tensor {
  const [height, width] = x.shape.slice(-2);
  const [, , kh, kw] = weight.shape;
  const [outHeight, outWidth] = outputShape.slice(-2);
  const [input, weights] = [x.dataSync(), weight.dataSync()];
  const biasValue = bias ? bias.dataSync()[0] : 0;
  const [top, left] = [padding[0][0], padding[1][0]];
  const step = stride[1];
  // Per kernel column: the output columns whose tap reads inside the input, and where the first of them reads.
  const columns = Array.from({ length: kw }, (_, b) => {
    const offset = b * dilation[1] - left;
    const first = Math.max(0, Math.ceil(-offset / step));
    const end = Math.min(outWidth, Math.floor((width - 1 - offset) / step) + 1);
    return { first, end, begin: first * step + offset };
  });
  const output = new Float32Array(outputShape.reduce((a, b) => a * b, 1));
  const sums = new Float64Array(outWidth);
  const items = input.length / (height * width);
  for (let n = 0, at = 0; n < items; n++) {
    const plane = n * height * width;
    for (let p = 0; p < outHeight; p++, at += outWidth) {
      sums.fill(biasValue);
      for (let a = 0; a < kh; a++) {
        const row = p * stride[0] + a * dilation[0] - top;
        if (row < 0 || row >= height) continue;
        for (let b = 0; b < kw; b++) {
          const w = weights[a * kw + b];
          const { first, end, begin } = columns[b];
          for (let q = first, i = plane + row * width + begin; q < end; q++, i += step) sums[q] += w * input[i];
        }
      }
      output.set(sums, at);
    }
  }
  return tf.tensor(output, [...outputShape]);
}
