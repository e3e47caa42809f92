import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable, kernel, kernels, type Differentiated } from './differentiable';
import { POINTWISE } from './window';

const { add, sub, mul, div, reshape } = kernels;

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the new batch in the running averages; null gives a cumulative average (1/batchesTracked). */
  momentum?: number | null;
  eps?: number;
  /** Batches seen so far including this one; only used when momentum is null. */
  batchesTracked?: number;
}

/**
 * Batch normalisation over the channel axis 1, as torch.nn.functional.batch_norm.
 *
 * Input `[N, C]`, `[N, C, L]` or `[N, C, H, W]`; statistics are taken over every axis but 1.
 * y = (x − mean) / √(var + eps) · weight + bias.
 * In training (or without running statistics) mean and var are the batch's, var being the *biased* variance
 * (divided by n); the running averages are then updated in place with the *unbiased* variance (divided by n − 1):
 * running = (1 − momentum)·running + momentum·batch. Otherwise the running statistics are used, as PyTorch's
 * inference kernel uses them: y = x·α + β with α = weight/√(var + eps) and β = bias − mean·α per channel.
 *
 * Backward, with x̂ the normalised input and sums over the n values of each channel:
 *   dweight = Σ dy·x̂,  dbias = Σ dy,
 *   dx = weight/√(var+eps) · (dy − Σdy/n − x̂·Σ(dy·x̂)/n) with batch statistics, weight/√(var+eps) · dy otherwise.
 */
export function batchNorm(
  x: tf.Tensor,
  runningMean: tf.Variable | undefined,
  runningVar: tf.Variable | undefined,
  weight: tf.Tensor | undefined,
  bias: tf.Tensor | undefined,
  { training, momentum = 0.1, eps = 1e-5, batchesTracked = 1 }: BatchNormOptions,
): tf.Tensor {
  const broadcast = x.shape.map((size, i) => (i === 1 ? size : 1));
  const count = x.size / (x.shape[1] ?? 1);
  const useBatchStats = training || !runningMean || !runningVar;
  if (training && count <= 1) {
    throw new ArgumentError(`Expected more than 1 value per channel when training, got input size [${x.shape}]`);
  }
  const perChannel = (t: tf.Tensor) => reshape(t, broadcast);

  const op = differentiable(([input], save) => {
    // The kernels are called directly (differentiable.ts): this op calls some twenty per pass, most of them on a
    // channel's worth of numbers, where a tf.* wrapper costs more than the kernel.
    if (!useBatchStats) return withRunningStatistics(input, runningMean!, runningVar!, weight, bias, eps, perChannel, save);
    const n = tf.scalar(count);
    const mean = div(channelSums(input), n);
    const variance = div(channelSums(kernel('SquaredDifference', { a: input, b: perChannel(mean) })), n);
    if (training && runningMean && runningVar) {
      const factor = momentum ?? 1 / batchesTracked;
      const [kept, taken] = [tf.scalar(1 - factor), tf.scalar(factor)];
      runningMean.assign(add(mul(runningMean, kept), mul(mean, taken)));
      runningVar.assign(add(mul(runningVar, kept), mul(variance, tf.scalar((factor * count) / (count - 1)))));
    }
    const invStd = perChannel(kernel('Rsqrt', { x: add(variance, tf.scalar(eps)) }));
    const normalised = mul(sub(input, perChannel(mean)), invStd);
    const scale = weight ? mul(invStd, perChannel(weight)) : invStd;
    save([normalised, scale]);
    let y = weight ? mul(normalised, perChannel(weight)) : normalised;
    if (bias) y = add(y, perChannel(bias));
    return {
      value: y,
      gradFunc: (dy, [xHat, savedScale]) => {
        const sumDy = perChannel(channelSums(dy));
        const sumDyXHat = perChannel(channelSums(mul(dy, xHat)));
        // A scalar of its own: the forward's tensors other than those saved are gone by now.
        const n = () => tf.scalar(count);
        const dx = mul(savedScale, sub(sub(dy, div(sumDy, n())), mul(xHat, div(sumDyXHat, n()))));
        return affineGradients(dx, bias && sumDy, weight && sumDyXHat);
      },
    };
  });
  const inputs = [x, weight, bias].filter((t): t is tf.Tensor => t !== undefined);
  return op(...inputs);
}

/**
 * Batch norm with the running statistics, as PyTorch's inference kernel computes it: y = x·α + β per channel, with
 * α = weight/√(var + eps) and β = bias − mean·α, two passes over x (normalising first, then scaling and shifting,
 * takes four). Backward: dx = α·dy; the affine parameters' gradients read x̂ = (x − mean)/√(var + eps), made from
 * the saved input only when the backward pass runs.
 */
function withRunningStatistics(
  input: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  weight: tf.Tensor | undefined,
  bias: tf.Tensor | undefined,
  eps: number,
  perChannel: (t: tf.Tensor) => tf.Tensor,
  save: tf.GradSaveFunc,
): Differentiated {
  const [invStd, alpha, beta] = inferenceTerms(mean, variance, weight, bias, eps).map(perChannel);
  save([input, perChannel(mean), invStd, alpha]);
  return {
    value: add(mul(input, alpha), beta),
    gradFunc: (dy, [x, savedMean, savedInvStd, savedAlpha]) => {
      const sumDyXHat = weight && channelSums(mul(dy, mul(sub(x, savedMean), savedInvStd)));
      return affineGradients(mul(savedAlpha, dy), bias && channelSums(dy), sumDyXHat);
    },
  };
}

/**
 * Batch norm with running statistics on NHWC data (`[N, H, W, C]`, output alike), without a gradient: x·α + β as one
 * depthwise 1×1 convolution with α as its filter and β as its bias, which computes each output as the NCHW form's
 * Mul and Add kernels do (the same float32 values), where broadcasting α and β over NHWC's last axis would make
 * tfjs's wasm Mul and Add 4–12× slower. For a run of layers that keeps tfjs's layout (nn.Sequential in eval mode,
 * a loaded graph).
 */
export function batchNormChannelsLast(
  x: tf.Tensor4D,
  mean: tf.Tensor,
  variance: tf.Tensor,
  weight: tf.Tensor | undefined,
  bias: tf.Tensor | undefined,
  eps: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, alpha, beta] = inferenceTerms(mean, variance, weight, bias, eps);
    const filter = reshape(alpha, [1, 1, alpha.size, 1]);
    return kernel('FusedDepthwiseConv2D', { x, filter, bias: beta }, POINTWISE) as tf.Tensor4D;
  });
}

/** 1/√(var + eps), α = weight/√(var + eps) and β = bias − mean·α, per channel (`[C]`): PyTorch's inference terms. */
function inferenceTerms(
  mean: tf.Tensor,
  variance: tf.Tensor,
  weight: tf.Tensor | undefined,
  bias: tf.Tensor | undefined,
  eps: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const invStd = kernel('Rsqrt', { x: add(variance, tf.scalar(eps)) });
  const alpha = weight ? mul(invStd, weight) : invStd;
  const shift = mul(mean, alpha);
  return [invStd, alpha, bias ? sub(bias, shift) : kernel('Neg', { x: shift })];
}

/** The op's gradients in its inputs' order: the input's, then the weight's (Σ dy·x̂) and the bias's (Σ dy) when it
 *  has them (undefined otherwise), per channel in any shape. */
function affineGradients(dx: tf.Tensor, sumDy: tf.Tensor | undefined, sumDyXHat: tf.Tensor | undefined): tf.Tensor[] {
  return [dx, ...[sumDyXHat, sumDy].filter((sum) => sum !== undefined).map((sum) => reshape(sum, [-1]))];
}

/**
 * Σ over every axis but 1, as [C] (batch norm's statistics, conv2d's bias gradient). tfjs reduces over axes that
 * are not the innermost by first transposing the whole tensor; summing each sample's channel (its values are
 * contiguous) and then those [N, C] sums over the batch transposes only the partial sums (forward and backward over
 * [64, 16, 28, 28] maps: 10.3 → 9.1 ms).
 */
export function channelSums(t: tf.Tensor): tf.Tensor {
  const [samples, channels] = t.shape;
  const sum = (x: tf.Tensor, axis: number) => kernel('Sum', { x }, { axis: [axis], keepDims: false });
  const perSample = t.rank === 2 ? t : reshape(sum(reshape(t, [samples * channels, -1]), 1), [samples, channels]);
  return sum(perSample, 0);
}
