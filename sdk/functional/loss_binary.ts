import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { checkReduction, pointwiseLoss, type Reducing, type ReductionOptions } from './reduction';

export interface BCELossOptions extends ReductionOptions {
  /** A rescaling weight for each element, broadcast to the input's shape (PyTorch's `weight`). A constant. */
  weight?: tf.Tensor;
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** p, the weight of positive targets, broadcast with the target: `[C]` for `[N, C]` multi-label input (PyTorch's
   *  `pos_weight`; p > 1 raises recall). A constant. */
  posWeight?: tf.Tensor;
}

/**
 * Binary cross-entropy of probabilities, as torch.nn.functional.binary_cross_entropy(input, target, weight,
 * reduction='mean'): −w·(t·log x + (1 − t)·log(1 − x)) per element, each log clamped at −100 as PyTorch does, so a
 * probability of exactly 0 or 1 gives a finite loss. Input (every value in [0, 1], else an ArgumentError naming the
 * first that is not) and target have the same shape. Backward: d input = g·w·(x − t) / max(x(1 − x), 1e−12),
 * d target = −g·w·logit(x) (PyTorch's two rules). Prefer binaryCrossEntropyWithLogits on raw scores: it is exact
 * where the sigmoid saturates.
 */
export function binaryCrossEntropy(input: tf.Tensor, target: tf.Tensor, options?: Reducing<BCELossOptions>): tf.Scalar;
export function binaryCrossEntropy(input: tf.Tensor, target: tf.Tensor, options: BCELossOptions): tf.Tensor;
export function binaryCrossEntropy(
  input: tf.Tensor,
  target: tf.Tensor,
  { weight, reduction = 'mean' }: BCELossOptions = {},
): tf.Tensor {
  const op = 'binaryCrossEntropy';
  checkProbabilities(op, input);
  const w = constant(op, 'weight', weight, input.shape);
  return pointwiseLoss(op, input, target, checkReduction(op, reduction), (x, t) => {
    const logX = tf.maximum(tf.log(x), -100);
    const log1mX = tf.maximum(tf.log1p(tf.neg(x)), -100);
    return {
      loss: weighted(tf.neg(tf.add(tf.mul(t, logX), tf.mul(tf.sub(1, t), log1mX))), w),
      saved: [x, t],
      backward: (g, [x, t]) => {
        const gw = weighted(g, w);
        const dx = tf.div(tf.mul(gw, tf.sub(x, t)), tf.maximum(tf.mul(x, tf.sub(1, x)), 1e-12));
        const dt = tf.mul(gw, tf.sub(tf.log1p(tf.neg(x)), tf.log(x)));
        return [dx, dt];
      },
    };
  });
}

/**
 * Binary cross-entropy of raw scores x (logits), as torch.nn.functional.binary_cross_entropy_with_logits(input,
 * target, weight, pos_weight=p, reduction='mean'): per element
 *   w·[(1 − t)·x + (1 + (p − 1)·t)·softplus(−x)],   softplus(−x) = log(1 + e^−|x|) + max(−x, 0),
 * which is −w·[p·t·log σ(x) + (1 − t)·log(1 − σ(x))] computed without overflow for any |x|. Input and target have
 * the same shape. Backward: d input = g·w·(σ(x)·(p·t + 1 − t) − p·t), d target = g·w·((p − 1)·softplus(−x) − x).
 */
export function binaryCrossEntropyWithLogits(
  input: tf.Tensor,
  target: tf.Tensor,
  options?: Reducing<BCEWithLogitsLossOptions>,
): tf.Scalar;
export function binaryCrossEntropyWithLogits(
  input: tf.Tensor,
  target: tf.Tensor,
  options: BCEWithLogitsLossOptions,
): tf.Tensor;
export function binaryCrossEntropyWithLogits(
  input: tf.Tensor,
  target: tf.Tensor,
  { weight, posWeight, reduction = 'mean' }: BCEWithLogitsLossOptions = {},
): tf.Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const w = constant(op, 'weight', weight, input.shape);
  const p = constant(op, 'posWeight', posWeight, input.shape);
  return pointwiseLoss(op, input, target, checkReduction(op, reduction), (x, t) => {
    const softplusNegX = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(tf.neg(x)));
    const logWeight = p ? tf.add(tf.mul(tf.sub(p, 1), t), 1) : undefined;
    return {
      loss: weighted(tf.add(tf.mul(tf.sub(1, t), x), logWeight ? tf.mul(logWeight, softplusNegX) : softplusNegX), w),
      saved: [x, t, softplusNegX],
      backward: (g, [x, t, softplusNegX]) => {
        const gw = weighted(g, w);
        const sigmoid = tf.sigmoid(x);
        const pt = p ? tf.mul(p, t) : t;
        const dx = tf.mul(gw, p ? tf.sub(tf.mul(sigmoid, tf.sub(tf.add(pt, 1), t)), pt) : tf.sub(sigmoid, t));
        const dt = tf.mul(gw, p ? tf.sub(tf.mul(tf.sub(p, 1), softplusNegX), x) : tf.neg(x));
        return [dx, dt];
      },
    };
  });
}

function weighted(x: tf.Tensor, weight: tf.Tensor | undefined): tf.Tensor {
  return weight ? tf.mul(x, weight) : x;
}

/** A weight that broadcasts to the input's shape without changing it, else an ArgumentError. */
function constant(op: string, name: string, value: tf.Tensor | undefined, shape: number[]): tf.Tensor | undefined {
  if (value === undefined) return undefined;
  const fits =
    value.rank <= shape.length &&
    value.shape.every((size, i) => size === 1 || size === shape[shape.length - value.rank + i]);
  if (!fits) {
    throw new ArgumentError(`${op}: ${name} of shape [${value.shape}] does not broadcast to the input's [${shape}]`, {
      [name]: value.shape,
      input: shape,
    });
  }
  return value;
}

/** Throws an ArgumentError naming the first input value outside [0, 1] (PyTorch refuses those too). */
function checkProbabilities(op: string, input: tf.Tensor): void {
  const values = input.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0 && values[i] <= 1)) {
      throw new ArgumentError(
        `${op}: input ${values[i]} at flat index ${i} is not a probability; every input must be in [0, 1] ` +
          '(pass raw scores to binaryCrossEntropyWithLogits instead)',
        { value: values[i], index: i },
      );
    }
  }
}
