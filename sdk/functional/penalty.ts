import * as tf from '@tensorflow/tfjs-core';

/** λ·Σ|w| over every element of every tensor: the L1 penalty, which pushes weights to exactly zero. */
export function l1Penalty(params: readonly tf.Tensor[], lambda: number): tf.Scalar {
  // w·sign(w) rather than tf.abs: tfjs's Abs gradient at 0 is −1, PyTorch's is 0 (sign(0)).
  return penalty(params, lambda, (w) => tf.mul(w, tf.sign(w)));
}

/**
 * λ·Σw² over every element of every tensor: the L2 penalty. Its gradient is 2λw, so it matches an optimiser's
 * weight decay of wd = 2λ (see optim.sgd).
 */
export function l2Penalty(params: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return penalty(params, lambda, tf.square);
}

function penalty(params: readonly tf.Tensor[], lambda: number, perElement: (w: tf.Tensor) => tf.Tensor): tf.Scalar {
  if (params.length === 0) return tf.scalar(0);
  return tf.tidy(() => tf.mul(tf.addN(params.map((w) => tf.sum(perElement(w)))), lambda) as tf.Scalar);
}
