import * as tf from '@tensorflow/tfjs-core';
import { channelSums } from './batchnorm';
import { differentiable, kernel, kernels } from './differentiable';
import { toNchw, toNhwc } from './layout';
import { isOne, shape4, type ExplicitPadding } from './window';

const { matMul, reshape } = kernels;

type Pair = readonly [number, number];

/** `[[top, bottom], [left, right]]`. */
export type SidePadding = [[number, number], [number, number]];

export interface ResolvedConv2dOptions {
  stride: [number, number];
  dilation: [number, number];
  padding: SidePadding;
}

/**
 * conv2d's arithmetic, on checked arguments: `x` NCHW (rank 4) or CHW (rank 3), `weight` `[Cout, Cin, kh, kw]`,
 * optional `bias` `[Cout]`, output in the layout of `x`. Like every differentiable op in edgeml its backward is
 * written beside its forward (differentiable):
 *
 *   dx = the transposed convolution of dy by the weight (over the padded input, whose padding is dropped);
 *   dW[o, i, a, b] = Σ over n, p, q of x_padded[n, i, p·sh + a·dh, q·sw + b·dw] · dy[n, o, p, q];
 *   db[o] = Σ over n, p, q of dy[n, o, p, q].
 *
 * tfjs convolves NHWC with `[kh, kw, Cin, Cout]` filters, so the input and output move between layouts at the
 * boundary (layout.ts), and the weight becomes a filter: `filter` when the caller keeps one (nn.Conv2d in eval mode,
 * a loaded graph), else made here. Keeping it matters: tfjs's wasm backend builds an XNNPACK convolution for each
 * new filter tensor, which for a 224×224 image costs more than the convolution itself (about 340 µs against 270).
 * The bias goes into the convolution (FusedConv2D: XNNPACK starts each output's sum from it) rather than an Add after
 * it, one kernel and one pass over the output fewer (a 224×224 image, Conv2d(3, 4, k3, s2): 30–40 µs of ~430).
 * tf.conv2d falls short of PyTorch in ways handled here: it refuses a stride and a dilation both above 1, and the
 * wasm backend has no Conv2DBackpropFilter kernel, so dW is computed as a convolution too (see filterGradient).
 */
export function convolve(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  options: ResolvedConv2dOptions,
  filter?: tf.Tensor4D,
): tf.Tensor {
  const op = convolution(options, filter);
  return bias ? op(x, weight, bias) : op(x, weight);
}

/** `[Cout, Cin, kh, kw]` (PyTorch's weight) → `[kh, kw, Cin, Cout]` (tfjs's filter). */
export function hwioFilter(weight: tf.Tensor): tf.Tensor4D {
  return kernel('Transpose', { x: weight }, { perm: [2, 3, 1, 0] }) as tf.Tensor4D;
}

/**
 * convolve on NHWC data (`[N, H, W, Cin]` → `[N, Ho, Wo, Cout]`), without a gradient: for a run of layers that keeps
 * tfjs's layout from one to the next (nn.Sequential in eval mode, a loaded graph), so that only the run's ends move
 * the data.
 */
export function convolveChannelsLast(
  x: tf.Tensor4D,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  { stride, dilation, padding }: ResolvedConv2dOptions,
  filter?: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => forward(x, filter ?? hwioFilter(weight), stride, dilation, explicitPadding(padding), bias));
}

/** tfjs's explicit padding: no padded copy of the input, forward or backward. */
function explicitPadding(padding: SidePadding): ExplicitPadding {
  return [[0, 0], padding[0], padding[1], [0, 0]];
}

function convolution({ stride, dilation, padding }: ResolvedConv2dOptions, kept: tf.Tensor4D | undefined) {
  const pad = explicitPadding(padding);
  return differentiable(([x, weight, bias], save) => {
    const nhwc = toNhwc(x);
    const filter = kept ?? hwioFilter(weight);
    save([nhwc, filter]);
    return {
      value: toNchw(forward(nhwc, filter, stride, dilation, pad, bias), x.rank),
      gradFunc: (dy: tf.Tensor, [savedX, savedFilter]: tf.Tensor[]) => {
        const [xs, ws] = [savedX as tf.Tensor4D, savedFilter as tf.Tensor4D];
        const oneChannel = ws.shape[2] === 1 && (isOne(stride) || isOne(dilation));
        // The one-channel weight gradient reads dy in NCHW: dy moves to NHWC only when something else reads it there.
        const dyNhwc = oneChannel ? undefined : toNhwc(dy);
        // Left to the backward pass to ask for: a first layer's input (the batch of images) needs no gradient.
        const dx = () => toNchw(inputGradient(dyNhwc ?? toNhwc(dy), ws, shape4(xs), stride, dilation, pad), x.rank);
        const dWeight = dyNhwc
          ? tf.transpose(filterGradient(dyNhwc, xs, ws.shape, stride, dilation, pad), [3, 2, 0, 1])
          : oneChannelWeightGradient(dy, xs, weight.shape, stride, dilation, pad);
        // Summed in NCHW, as `[N, Cout, Ho·Wo]` (an unbatched dy too): over NHWC tfjs would transpose dy to reduce it.
        return bias ? [dx, dWeight, channelSums(reshape(dy, [xs.shape[0], bias.size, -1]))] : [dx, dWeight];
      },
    };
  });
}

function forward(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: Pair,
  dilation: Pair,
  pad: ExplicitPadding,
  bias?: tf.Tensor,
): tf.Tensor4D {
  if (!isOne(stride) && !isOne(dilation)) return tapSum(x, filter, stride, dilation, pad, bias);
  const attrs = { strides: [...stride], pad, dataFormat: 'NHWC', dilations: [...dilation] };
  if (!bias) return kernel('Conv2D', { x, filter }, attrs) as tf.Tensor4D;
  return kernel('FusedConv2D', { x, filter, bias }, { ...attrs, activation: 'linear' }) as tf.Tensor4D;
}

/**
 * Stride and dilation both above 1, which tf.conv2d refuses. A dense stride-1 convolution sliced afterwards would
 * compute s² times the outputs asked for (and, with large padding, outputs that are almost all padding), so the
 * output is summed over the kernel's taps instead: tap (a, b) reads input rows p·sh + a·dh − pt and columns
 * q·sw + b·dw − pl (see tapIndices) and adds that `[N, Ho, Wo, Cin]` slab times its `[Cin, Cout]` weights. The work
 * is exactly the output's multiply-adds; a tap that reads only padding adds nothing and is skipped. The sum starts
 * from the bias, as the fused convolution's does.
 */
function tapSum(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: Pair,
  dilation: Pair,
  pad: ExplicitPadding,
  bias: tf.Tensor | undefined,
): tf.Tensor4D {
  const [n, height, width, inChannels] = x.shape;
  const [kh, kw, , outChannels] = filter.shape;
  const rows = tapIndices(height, kh, stride[0], dilation[0], pad[1]);
  const columns = tapIndices(width, kw, stride[1], dilation[1], pad[2]);
  const [outHeight, outWidth] = [rows[0].length, columns[0].length];
  // One zero row and column past the input's end stand for every padded position.
  const extended = tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]);
  const start = [n * outHeight * outWidth, outChannels];
  let sum: tf.Tensor = bias ? tf.broadcastTo(bias, start) : tf.zeros(start);
  // Each tap's tensors are freed before the next tap: kept to the end, hundreds of taps would hold gigabytes.
  rows.forEach((rowIndex, a) => {
    if (rowIndex.every((i) => i === height)) return;
    const tapRows = tf.gather(extended, rowIndex, 1);
    columns.forEach((columnIndex, b) => {
      if (columnIndex.every((j) => j === width)) return;
      const next = tf.tidy(() => {
        const slab = tf.reshape(tf.gather(tapRows, columnIndex, 2), [-1, inChannels]);
        const weights = tf.reshape(tf.slice(filter, [a, b, 0, 0], [1, 1, inChannels, outChannels]), [inChannels, outChannels]);
        return tf.add(sum, tf.matMul(slab, weights));
      });
      sum.dispose();
      sum = next;
    });
    tapRows.dispose();
  });
  extended.dispose();
  return tf.reshape(sum, [n, outHeight, outWidth, outChannels]);
}

/**
 * For each tap t of a kernel of `kernel` taps along an axis of `size`, the input index each output position reads,
 * p·stride + t·dilation − before, with `size` (the zero past the end) where that falls in the padding.
 */
function tapIndices(size: number, kernel: number, stride: number, dilation: number, [before, after]: readonly [number, number]): Int32Array[] {
  const out = Math.floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
  return Array.from({ length: kernel }, (_, t) =>
    Int32Array.from({ length: out }, (_, p) => {
      const i = p * stride + t * dilation - before;
      return i >= 0 && i < size ? i : size;
    }),
  );
}

/**
 * dx, the transposed convolution of dy. tfjs's wasm Conv2DBackpropInput is a plain loop, 10× slower than its
 * XNNPACK Conv2D (51 against 5 ms for the digit CNN's second layer), so at stride 1 dx is computed as what it also
 * is: the convolution of dy, padded by d·(k − 1) − p on each side, by the filter turned 180° with its channel axes
 * swapped. That padding must not be negative (p ≤ d·(k − 1)); otherwise, and for strides, Conv2DBackpropInput runs,
 * with the filter's taps spread apart by zeros since it knows no dilation.
 */
function inputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  stride: Pair,
  dilation: Pair,
  pad: ExplicitPadding,
): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const spans = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
  const [rows, columns] = [pad[1], pad[2]].map((sides, axis) => sides.map((p) => spans[axis] - p) as [number, number]);
  if (!isOne(stride) || [...rows, ...columns].some((p) => p < 0)) {
    return tf.conv2dTranspose(dy, dilateFilter(filter, dilation), inputShape, [...stride], pad);
  }
  const turned = kernel('Transpose', { x: tf.reverse(filter, [0, 1]) }, { perm: [0, 1, 3, 2] }) as tf.Tensor4D;
  return forward(dy, turned, stride, dilation, [[0, 0], rows, columns, [0, 0]]);
}

/**
 * dFilter[a, b, i, o] = Σ over n, p, q of x_padded[n, p·sh + a·dh, q·sw + b·dw, i] · dy[n, p, q, o] is itself a
 * convolution: of x read as `[Cin, H, W, N]` by dy read as a `[Ho, Wo, N, Cout]` filter dilated by the stride. Its
 * output rows a·dh and columns b·dw are the taps.
 */
function filterGradient(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filterShape: number[],
  stride: Pair,
  dilation: Pair,
  pad: ExplicitPadding,
): tf.Tensor {
  const [kh, kw, inChannels, outChannels] = filterShape;
  const byChannel = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const correlation = tf.conv2d(byChannel, dyAsFilter, 1, pad, 'NHWC', [...stride]);
  const end = [inChannels, dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1, outChannels];
  const taps = tf.stridedSlice(correlation, [0, 0, 0, 0], end, [1, dilation[0], dilation[1], 1]);
  return tf.transpose(taps, [1, 2, 0, 3]);
}

/**
 * dW for one input channel (a first layer over grey images), `[Cout, 1, kh, kw]`, as one matrix product: dy as
 * `[Cout, N·Ho·Wo]` by the input's patches as `[N·Ho·Wo, kh·kw]`. The patches come from a convolution by one-hot
 * filters, each product of which is exact, except that 0·∞ is NaN: an infinite input value makes its neighbours'
 * taps NaN where they would be ±∞ or NaN. filterGradient's convolution would be one image of one channel with
 * only kh·kw output pixels, which XNNPACK runs at a seventh of its speed (6.4 ms against 2.5 for the patches, the
 * move of dy and the product, in the digit CNN's first layer).
 */
function oneChannelWeightGradient(
  dy: tf.Tensor,
  x: tf.Tensor4D,
  weightShape: number[],
  stride: Pair,
  dilation: Pair,
  pad: ExplicitPadding,
): tf.Tensor {
  const [outChannels, , kh, kw] = weightShape;
  const taps = kh * kw;
  const oneHot = reshape(tf.eye(taps), [kh, kw, 1, taps]) as tf.Tensor4D;
  const patches = reshape(forward(x, oneHot, stride, dilation, pad), [-1, taps]);
  const byChannel = kernel('Transpose', { x: reshape(dy, [x.shape[0], outChannels, -1]) }, { perm: [1, 0, 2] });
  return reshape(matMul(reshape(byChannel, [outChannels, -1]), patches), weightShape);
}

/** `[kh, kw, Cin, Cout]` → `[d·(kh − 1) + 1, d·(kw − 1) + 1, Cin, Cout]` with d − 1 zeros between taps, because
 *  Conv2DBackpropInput knows no dilation; the zeros add nothing to any sum. */
function dilateFilter(filter: tf.Tensor4D, dilation: Pair): tf.Tensor4D {
  if (isOne(dilation)) return filter;
  const [kh, kw, inChannels, outChannels] = filter.shape;
  const [dh, dw] = dilation;
  const spaced = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, inChannels, outChannels]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const grid = tf.reshape(spaced, [kh * dh, kw * dw, inChannels, outChannels]);
  return tf.slice(grid, [0, 0, 0, 0], [dh * (kh - 1) + 1, dw * (kw - 1) + 1, inChannels, outChannels]) as tf.Tensor4D;
}
