import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';

export interface BatchNormOptions {
  training: boolean;
  /** Weight of the new batch in the running averages; null gives a cumulative average (1/num_batches_tracked). */
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
 * running = (1 − momentum)·running + momentum·batch. Otherwise the running statistics are used.
 */
export function batchNorm(
  x: tf.Tensor,
  runningMean: tf.Variable | undefined,
  runningVar: tf.Variable | undefined,
  weight: tf.Tensor | undefined,
  bias: tf.Tensor | undefined,
  { training, momentum = 0.1, eps = 1e-5, batchesTracked = 1 }: BatchNormOptions,
): tf.Tensor {
  const channels = x.shape[1] ?? 0;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const broadcast = x.shape.map((size, i) => (i === 1 ? size : 1));
  const useBatchStats = training || runningMean === undefined || runningVar === undefined;
  const count = x.size / channels;
  if (training && count <= 1) {
    throw new ArgumentError(`Expected more than 1 value per channel when training, got input size [${x.shape}]`);
  }
  return tf.tidy(() => {
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (useBatchStats) {
      ({ mean, variance } = tf.moments(x, axes));
      if (training && runningMean && runningVar) {
        const factor = momentum ?? 1 / batchesTracked;
        const unbiased = tf.mul(variance, count / (count - 1));
        runningMean.assign(tf.add(tf.mul(runningMean, 1 - factor), tf.mul(mean, factor)));
        runningVar.assign(tf.add(tf.mul(runningVar, 1 - factor), tf.mul(unbiased, factor)));
      }
    } else {
      mean = runningMean!;
      variance = runningVar!;
    }
    let y = tf.div(tf.sub(x, tf.reshape(mean, broadcast)), tf.reshape(tf.sqrt(tf.add(variance, eps)), broadcast));
    if (weight) y = tf.mul(y, tf.reshape(weight, broadcast));
    if (bias) y = tf.add(y, tf.reshape(bias, broadcast));
    return y;
  });
}
