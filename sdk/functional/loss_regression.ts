import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, pointwiseLoss, type Reducing, type ReductionOptions } from './reduction';
import { exactSign } from './sign';

/**
 * Squared error (input − target)², reduced, as torch.nn.functional.mse_loss(input, target, reduction='mean').
 * Input and target have the same shape (any); 'none' keeps it. Backward: d input = 2(input − target)·g,
 * d target = −d input, g the upstream gradient of each element.
 */
export function mseLoss(input: tf.Tensor, target: tf.Tensor, options?: Reducing<ReductionOptions>): tf.Scalar;
export function mseLoss(input: tf.Tensor, target: tf.Tensor, options: ReductionOptions): tf.Tensor;
export function mseLoss(input: tf.Tensor, target: tf.Tensor, { reduction = 'mean' }: ReductionOptions = {}): tf.Tensor {
  return pointwiseLoss('mseLoss', input, target, checkReduction('mseLoss', reduction), (x, t) => {
    const difference = tf.sub(x, t);
    return {
      loss: tf.square(difference),
      saved: [difference],
      backward: (g, [d]) => {
        const dx = tf.mul(tf.mul(d, g), 2);
        return [dx, tf.neg(dx)];
      },
    };
  });
}

/**
 * Absolute error |input − target|, reduced, as torch.nn.functional.l1_loss(input, target, reduction='mean').
 * Input and target have the same shape (any). Backward: d input = sign(input − target)·g (0 where they are equal,
 * as PyTorch, and ±1 however small the difference: see exactSign), d target = −d input.
 */
export function l1Loss(input: tf.Tensor, target: tf.Tensor, options?: Reducing<ReductionOptions>): tf.Scalar;
export function l1Loss(input: tf.Tensor, target: tf.Tensor, options: ReductionOptions): tf.Tensor;
export function l1Loss(input: tf.Tensor, target: tf.Tensor, { reduction = 'mean' }: ReductionOptions = {}): tf.Tensor {
  return pointwiseLoss('l1Loss', input, target, checkReduction('l1Loss', reduction), (x, t) => {
    const difference = tf.sub(x, t);
    return {
      loss: tf.abs(difference),
      saved: [exactSign(difference)],
      backward: (g, [sign]) => {
        const dx = tf.mul(sign, g);
        return [dx, tf.neg(dx)];
      },
    };
  });
}
