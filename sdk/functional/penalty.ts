import * as tf from '@tensorflow/tfjs-core';
import { differentiable } from './differentiable';
import { exactSign } from './sign';

/**
 * λ·Σ|w| over every element of every tensor: the L1 penalty, which pushes weights to exactly zero.
 * Backward: dw = dy·λ·sign(w), with sign(0) = 0 as in PyTorch (and ±1 however small w is: see exactSign).
 */
export function l1Penalty(params: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return penalty(params, lambda, tf.abs, l1Gradient);
}

/**
 * λ·Σw² over every element of every tensor: the L2 penalty. Backward: dw = dy·2λw, so it matches an optimiser's
 * weight decay of wd = 2λ (see optim.sgd).
 */
export function l2Penalty(params: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return penalty(params, lambda, tf.square, l2Gradient);
}

/** The gradient of l1Penalty with respect to one tensor. The training step adds it to the loss gradient directly. */
export function l1Gradient(w: tf.Tensor, lambda: number): tf.Tensor {
  return tf.mul(exactSign(w), lambda);
}

/** The gradient of l2Penalty with respect to one tensor. */
export function l2Gradient(w: tf.Tensor, lambda: number): tf.Tensor {
  return tf.mul(w, 2 * lambda);
}

function penalty(
  params: readonly tf.Tensor[],
  lambda: number,
  perElement: (w: tf.Tensor) => tf.Tensor,
  gradient: (w: tf.Tensor, lambda: number) => tf.Tensor,
): tf.Scalar {
  if (params.length === 0) return tf.scalar(0);
  return differentiable((ws, save) => {
    save(ws);
    return {
      value: tf.mul(tf.addN(ws.map((w) => tf.sum(perElement(w)))), lambda),
      gradFunc: (dy, saved) => saved.map((w) => tf.mul(gradient(w, lambda), dy)),
    };
  })(...params) as tf.Scalar;
}
