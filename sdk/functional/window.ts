import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';

/** A size along both spatial axes: one integer for both, or `[height, width]` (PyTorch's `_size_2_t`). */
export type IntOrPair = number | readonly [number, number];

/** `value` as `[height, width]`, as PyTorch's `_pair`; anything but integers is refused, naming `argument`. */
export function toPair(argument: string, value: IntOrPair): [number, number] {
  const pair: readonly unknown[] = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(Number.isInteger)) {
    throw new ArgumentError(`${argument} must be an integer or a pair of integers, got ${JSON.stringify(value)}`, {
      argument,
    });
  }
  return [pair[0], pair[1]];
}

export interface OutputSizeOptions {
  stride?: number;
  /** Added on both sides. */
  padding?: number;
  dilation?: number;
  /** Pooling's ceil_mode: round the division up (see outputSize). */
  ceilMode?: boolean;
}

/**
 * The length of a convolution's or pooling's output along one spatial axis, as PyTorch computes it:
 *
 *     out = ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
 *
 * With `ceilMode` the division rounds up instead, except that a last window which would start in the bottom/right
 * padding — (out − 1)·stride ≥ size + padding — is dropped, as torch.nn.MaxPool2d/AvgPool2d do. The result is 0 or
 * less when the (dilated) kernel does not fit the padded input; conv2d and the pools refuse such inputs.
 *
 * Example: a 224-wide input through a 3-wide kernel with stride 2 and no padding gives ⌊(224 − 2 − 1)/2⌋ + 1 = 111.
 */
export function outputSize(
  size: number,
  kernel: number,
  { stride = 1, padding = 0, dilation = 1, ceilMode = false }: OutputSizeOptions = {},
): number {
  const integers = { size, kernel, stride, padding, dilation };
  for (const [name, value] of Object.entries(integers)) {
    const least = name === 'size' || name === 'padding' ? 0 : 1;
    if (!Number.isInteger(value) || value < least) {
      throw new ArgumentError(`outputSize: ${name} must be an integer ≥ ${least}, got ${value}`, { argument: name });
    }
  }
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  const rounded = ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride);
  const out = rounded + 1;
  return ceilMode && (out - 1) * stride >= size + padding ? out - 1 : out;
}

/** Padding as tfjs's NHWC conv and pool ops take it: `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** The shape of a tensor known to be 4-D, typed as tfjs's NHWC ops want it. */
export function shape4(t: tf.Tensor): [number, number, number, number] {
  return t.shape as [number, number, number, number];
}

/** What one op will compute, known from shapes before it runs (conv2dCost, pool2dCost). */
export interface OpCost {
  outputShape: number[];
  /** Output elements × the window each one reads (× input channels for a convolution). */
  multiplyAdds: number;
  /**
   * What computing it costs, in multiply-add equivalents: multiplyAdds where one kernel does the whole op, more where
   * the op is assembled from many small ones (conv2d's tap sum). A server bounds this, not multiplyAdds.
   */
  work: number;
  /** The most elements any one tensor made on the way holds, the output included. */
  largestTensor: number;
}

/** The number of elements of a tensor of `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function isOne([a, b]: readonly [number, number]): boolean {
  return a === 1 && b === 1;
}

/** The attributes of a 1×1 convolution at stride 1 on NHWC data with no fused activation, for tfjs's FusedConv2D and
 *  FusedDepthwiseConv2D kernels: a per-pixel product (linear()) or per-channel scale (batch norm) with a bias. */
export const POINTWISE = {
  strides: [1, 1],
  pad: 'valid',
  dataFormat: 'NHWC',
  dilations: [1, 1],
  activation: 'linear',
  leakyreluAlpha: 0,
};
