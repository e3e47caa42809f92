import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { convolveOneChannel } from './conv-one-channel';
import { convolve, convolveChannelsLast, type ResolvedConv2dOptions, type SidePadding } from './convolve';
import { nchwShape } from './layout';
import { elementCount, isOne, outputSize, toPair, type IntOrPair, type OpCost } from './window';

/**
 * Zeros added around the input: one integer for all four sides, `[ph, pw]` for top and bottom / left and right,
 * `'valid'` for none, `'same'` for an output as large as the input (stride 1 only), or `'full'` for d·(k − 1) on
 * every side, so that every partial overlap of kernel and input counts (not a PyTorch option; NumPy's mode).
 */
export type Conv2dPadding = IntOrPair | 'valid' | 'same' | 'full';

export interface Conv2dOptions {
  /** Step between windows, `sh = sw` or `[sh, sw]`. Default 1. */
  stride?: IntOrPair;
  /** Default 0. */
  padding?: Conv2dPadding;
  /** Spacing between kernel taps, `dh = dw` or `[dh, dw]`. Default 1. */
  dilation?: IntOrPair;
}

const paddingModes = ['valid', 'same', 'full'] as const;

/**
 * 2-D convolution (strictly, cross-correlation) over an NCHW input, as torch.nn.functional.conv2d with groups = 1.
 *
 * Shapes:
 * - `x`: `[N, Cin, H, W]`, or `[Cin, H, W]` unbatched, in which case the output is unbatched too.
 * - `weight`: `[Cout, Cin, kh, kw]`.
 * - `bias` (optional): `[Cout]`, added to every position of its output channel.
 * - output: `[N, Cout, Ho, Wo]` with
 *
 *       Ho = ⌊(H + pt + pb − dh·(kh − 1) − 1) / sh⌋ + 1
 *       Wo = ⌊(W + pl + pr − dw·(kw − 1) − 1) / sw⌋ + 1
 *
 *   where pt = pb = ph and pl = pr = pw for integer padding (see outputSize). `'same'` pads d·(k − 1) in total per
 *   axis, the odd one on the bottom/right as PyTorch does, so Ho = H and Wo = W.
 *
 * Differentiable in `x`, `weight` and `bias` on every backend. Raises an ArgumentError, worded as PyTorch's, for
 * wrong ranks, a channel count that does not match the weight, a bias of the wrong size, non-positive stride or
 * dilation, negative padding, `'same'` with a stride, or a kernel larger than the padded input.
 */
export function conv2d(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, options: Conv2dOptions = {}): tf.Tensor {
  return conv2dWithFilter(x, weight, bias, options, undefined);
}

/**
 * conv2d, given the weight's filter in tfjs's layout when the caller keeps one (`hwioFilter(weight)`: nn.Conv2d in
 * eval mode and a loaded graph do), so that the backend does not build its convolution anew on every call.
 */
export function conv2dWithFilter(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  options: Conv2dOptions,
  filter: tf.Tensor4D | undefined,
): tf.Tensor {
  const { resolved, outputShape } = checkShapes(x.shape, weight.shape, bias?.shape, options);
  // While a gradient tape records, convolve's op runs, whose backward is beside its forward.
  if (oneToOne(weight) && !tf.engine().isTapeOn()) return convolveOneChannel(x, weight, bias, resolved, outputShape);
  return tf.tidy(() => convolve(x, weight, bias, resolved, filter));
}

/**
 * conv2dWithFilter on NHWC data, `[N, H, W, Cin]` → `[N, Ho, Wo, Cout]`, without a gradient (see
 * convolveChannelsLast); the same checks and messages, against the NCHW shape the data stands for.
 */
export function conv2dChannelsLast(
  x: tf.Tensor4D,
  weight: tf.Tensor,
  bias: tf.Tensor | undefined,
  options: Conv2dOptions,
  filter: tf.Tensor4D | undefined,
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  const { resolved, outputShape } = checkShapes(nchwShape(x.shape), weight.shape, bias?.shape, options);
  if (oneToOne(weight)) {
    // With one channel either layout holds the same floats.
    const y = convolveOneChannel(tf.reshape(x, [n, 1, height, width]), weight, bias, resolved, outputShape);
    return tf.reshape(y, [n, outputShape[2], outputShape[3], 1]);
  }
  return convolveChannelsLast(x, weight, bias, resolved, filter);
}

/**
 * From one channel to one (a grey image and one kernel), where inference takes a direct loop, which beats XNNPACK's
 * convolution there (conv-one-channel.ts).
 */
function oneToOne(weight: tf.Tensor): boolean {
  return weight.shape[0] === 1 && weight.shape[1] === 1;
}

/**
 * What `conv2d(x, weight, bias, options)` will compute, from the shapes alone and before any of it runs: the output
 * shape, the multiply-adds (output elements × Cin × kh × kw), the work on the path conv2d takes (the tap sum for
 * stride and dilation both above 1 also counts what it gathers and adds), and the most elements any one tensor made
 * on the way holds. Raises the ArgumentError conv2d would raise. A server prices a request with it.
 */
export function conv2dCost(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions = {},
  biasShape?: readonly number[],
): OpCost {
  const { outputShape, resolved } = checkShapes(inputShape, weightShape, biasShape, options);
  const [outChannels, inChannels, kh, kw] = weightShape;
  const [batch, height, width] = [elementCount(inputShape.slice(0, -3)), inputShape.at(-2)!, inputShape.at(-1)!];
  const [outHeight, outWidth] = outputShape.slice(-2);
  const multiplyAdds = elementCount(outputShape) * inChannels * kh * kw;
  const layouts = [elementCount(inputShape), elementCount(outputShape)]; // the NHWC copies at the boundary
  if (isOne(resolved.stride) || isOne(resolved.dilation)) {
    return { outputShape, multiplyAdds, work: multiplyAdds, largestTensor: Math.max(...layouts) };
  }
  // The tap sum (convolve.ts): the input with a zero row and column, each tap's rows, each tap's slab, the sum.
  const rowsPerTap = batch * outHeight * (width + 1) * inChannels;
  const slabPerTap = batch * outHeight * outWidth * inChannels;
  const sumPerTap = batch * outHeight * outWidth * outChannels;
  const tapTensors = [batch * (height + 1) * (width + 1) * inChannels, rowsPerTap, Math.max(slabPerTap, sumPerTap)];
  const moved = kh * rowsPerTap + kh * kw * (slabPerTap + sumPerTap);
  const work = multiplyAdds + TAP_ELEMENT_COST * moved;
  return { outputShape, multiplyAdds, work, largestTensor: Math.max(...layouts, ...tapTensors) };
}

/**
 * A tap sum spends its time gathering and adding, one small kernel at a time: measured on wasm at 56–100 ns per
 * multiply-add where XNNPACK's convolution takes a few, so each element it moves counts as this many multiply-adds.
 */
const TAP_ELEMENT_COST = 16;

/** conv2d's argument checks, worded as PyTorch's; the resolved options and the output shape. */
function checkShapes(
  inputShape: readonly number[],
  weightShape: readonly number[],
  biasShape: readonly number[] | undefined,
  options: Conv2dOptions,
): { resolved: ResolvedConv2dOptions; outputShape: number[] } {
  if (inputShape.length !== 3 && inputShape.length !== 4) {
    throw new ArgumentError(
      `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${inputShape.join(', ')}]`,
    );
  }
  if (weightShape.length !== 4) {
    throw new ArgumentError(
      `conv2d expects a 4D weight [out_channels, in_channels, kH, kW], but got weight of size: [${weightShape.join(', ')}]`,
    );
  }
  const [outChannels, inChannels, kh, kw] = weightShape;
  const resolved = resolveConv2dOptions([kh, kw], options);
  const { stride, dilation, padding } = resolved;
  const [channels, height, width] = inputShape.slice(-3);
  if (channels !== inChannels) {
    throw new ArgumentError(
      `Given groups=1, weight of size [${weightShape.join(', ')}], expected input[${inputShape.join(', ')}] to have ` +
        `${inChannels} channels, but got ${channels} channels instead`,
    );
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== outChannels)) {
    throw new ArgumentError(
      `Given weight of size [${weightShape.join(', ')}], expected bias to be 1-dimensional with ${outChannels} ` +
        `elements, but got bias of size [${biasShape.join(', ')}] instead`,
    );
  }
  const paddedHeight = height + padding[0][0] + padding[0][1];
  const paddedWidth = width + padding[1][0] + padding[1][1];
  const spanHeight = dilation[0] * (kh - 1) + 1;
  const spanWidth = dilation[1] * (kw - 1) + 1;
  if (paddedHeight < spanHeight || paddedWidth < spanWidth) {
    throw new ArgumentError(
      `Calculated padded input size per channel: (${paddedHeight} x ${paddedWidth}). Kernel size: (${spanHeight} x ` +
        `${spanWidth}). Kernel size can't be greater than actual input size`,
    );
  }
  // The padding is already in the sizes: outputSize with padding 0 covers 'same''s uneven split too.
  const outHeight = outputSize(paddedHeight, kh, { stride: stride[0], dilation: dilation[0] });
  const outWidth = outputSize(paddedWidth, kw, { stride: stride[1], dilation: dilation[1] });
  return { resolved, outputShape: [...inputShape.slice(0, -3), outChannels, outHeight, outWidth] };
}

/**
 * Checks conv2d's options and resolves them for a kernel of `[kh, kw]`: pairs for stride and dilation, and the
 * padding of each side. nn.Conv2d calls it at construction so that bad options fail before any input arrives.
 */
export function resolveConv2dOptions(
  [kh, kw]: readonly [number, number],
  { stride = 1, padding = 0, dilation = 1 }: Conv2dOptions,
): ResolvedConv2dOptions {
  const strides = toPair('stride', stride);
  const dilations = toPair('dilation', dilation);
  if (strides.some((s) => s <= 0)) throw new ArgumentError('non-positive stride is not supported', { stride });
  if (dilations.some((d) => d <= 0)) throw new ArgumentError('dilation should be greater than zero', { dilation });
  const span = (k: number, d: number) => d * (k - 1);
  let sides: SidePadding;
  if (typeof padding === 'string') {
    if (!(paddingModes as readonly string[]).includes(padding)) {
      throw new ArgumentError(`Invalid padding string '${padding}', should be one of {'valid', 'same', 'full'}`, {
        padding,
      });
    }
    if (padding === 'same' && strides.some((s) => s !== 1)) {
      throw new ArgumentError("padding='same' is not supported for strided convolutions", { padding, stride });
    }
    const total = [span(kh, dilations[0]), span(kw, dilations[1])];
    // PyTorch puts the odd unit of 'same' padding after (bottom/right).
    const split = (t: number): [number, number] =>
      padding === 'valid' ? [0, 0] : padding === 'full' ? [t, t] : [Math.floor(t / 2), t - Math.floor(t / 2)];
    sides = [split(total[0]), split(total[1])];
  } else {
    const [ph, pw] = toPair('padding', padding);
    if (ph < 0 || pw < 0) throw new ArgumentError('negative padding is not supported', { padding });
    sides = [
      [ph, ph],
      [pw, pw],
    ];
  }
  return { stride: strides, dilation: dilations, padding: sides };
}
