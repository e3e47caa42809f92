import * as tf from '@tensorflow/tfjs-core';

export interface Differentiated {
  value: tf.Tensor;
  /** The gradient for each input, given the upstream gradient dy and the tensors passed to save(). */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/**
 * Makes an op whose backward is written beside its forward (tf.customGrad, typed). Every op on edgeml's training
 * path is built this way, so training needs no part of tfjs's gradient registry and records one tape node per op.
 * Tensors the backward needs go through `save`, which keeps them alive until the backward pass has run.
 */
export function differentiable(
  forward: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => Differentiated,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return forward(args as tf.Tensor[], save);
  }) as (...inputs: tf.Tensor[]) => tf.Tensor;
}
