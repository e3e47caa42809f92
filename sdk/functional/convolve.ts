import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedConv2dOptions } from './conv';
import { shape4, type ExplicitPadding } from './window';

type Pair = readonly [number, number];

/**
 * conv2d's arithmetic, on checked arguments: `x` NCHW (rank 4) or CHW (rank 3), `weight` `[Cout, Cin, kh, kw]`,
 * optional `bias` `[Cout]`, output in the layout of `x`. Like every differentiable op in edgeml its backward is
 * written beside its forward (tf.customGrad):
 *
 *   dx = the transposed convolution of dy by the weight (over the padded input, whose padding is dropped);
 *   dW[o, i, a, b] = Σ over n, p, q of x_padded[n, i, p·sh + a·dh, q·sw + b·dw] · dy[n, o, p, q];
 *   db[o] = Σ over n, p, q of dy[n, o, p, q].
 *
 * tfjs convolves NHWC with `[kh, kw, Cin, Cout]` filters, so both are transposed at the boundary. tf.conv2d falls
 * short of PyTorch in ways handled here: it refuses a stride and a dilation both above 1, and the wasm backend has
 * no Conv2DBackpropFilter kernel, so dW is computed as a convolution too (see filterGradient).
 */
export function convolve(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  options: ResolvedConv2dOptions,
): tf.Tensor {
  return bias ? convolution(options)(x, weight, bias) : convolution(options)(x, weight);
}

function convolution({ stride, dilation, padding }: ResolvedConv2dOptions) {
  // tfjs's explicit padding: no padded copy of the input, forward or backward.
  const pad: ExplicitPadding = [[0, 0], padding[0], padding[1], [0, 0]];
  return tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, weight, bias] = args as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const nhwc = toNhwc(x);
    const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
    save([nhwc, filter]);
    const y = forward(nhwc, filter, stride, dilation, pad);
    return {
      value: fromNhwc(bias ? tf.add(y, bias) : y, x.rank),
      gradFunc: (dy: tf.Tensor, [savedX, savedFilter]: tf.Tensor[]) => {
        const dyNhwc = toNhwc(dy);
        const [xs, ws] = [savedX as tf.Tensor4D, savedFilter as tf.Tensor4D];
        // Conv2DBackpropInput knows no dilation: the filter's taps are spread apart with zeros instead.
        const dx = tf.conv2dTranspose(dyNhwc, dilateFilter(ws, dilation), shape4(xs), [...stride], pad);
        const dFilter = filterGradient(dyNhwc, xs, ws.shape, stride, dilation, pad);
        const grads = [fromNhwc(dx, x.rank), tf.transpose(dFilter, [3, 2, 0, 1])];
        return bias ? [...grads, tf.sum(dyNhwc, [0, 1, 2])] : grads;
      },
    };
  }) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

function forward(x: tf.Tensor4D, filter: tf.Tensor4D, stride: Pair, dilation: Pair, pad: ExplicitPadding): tf.Tensor4D {
  if (isOne(stride) || isOne(dilation)) return tf.conv2d(x, filter, [...stride], pad, 'NHWC', [...dilation]);
  // Both above 1: convolve at every position, then keep rows and columns 0, s, 2s, … — ⌈(H − d·(k − 1))/s⌉ of
  // them, which is PyTorch's count.
  const dense = tf.conv2d(x, filter, 1, pad, 'NHWC', [...dilation]);
  return tf.stridedSlice(dense, [0, 0, 0, 0], dense.shape, [1, stride[0], stride[1], 1]) as tf.Tensor4D;
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

/** NCHW (or CHW, as a batch of one) → NHWC. */
function toNhwc(t: tf.Tensor): tf.Tensor4D {
  return tf.transpose(t.rank === 4 ? t : tf.expandDims(t, 0), [0, 2, 3, 1]) as tf.Tensor4D;
}

/** NHWC → NCHW, or CHW when the input was unbatched. */
function fromNhwc(t: tf.Tensor, rank: number): tf.Tensor {
  const nchw = tf.transpose(t, [0, 3, 1, 2]);
  return rank === 4 ? nchw : tf.squeeze(nchw, [0]);
}

function isOne([a, b]: Pair): boolean {
  return a === 1 && b === 1;
}
