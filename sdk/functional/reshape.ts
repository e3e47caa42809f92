import * as tf from '@tensorflow/tfjs-core';
import { differentiable } from './differentiable';

/** x with a new shape of the same size; the gradient is dy reshaped back. */
export function reshape(x: tf.Tensor, shape: number[]): tf.Tensor {
  return differentiable(([input]) => ({
    value: tf.reshape(input, shape),
    gradFunc: (dy) => tf.reshape(dy, input.shape),
  }))(x);
}
