import * as tf from '@tensorflow/tfjs-core';
import { differentiable } from './differentiable';

/** max(0, x), element-wise. Backward: dx = dy where y > 0, else 0 (PyTorch's choice at 0). */
export const relu: (x: tf.Tensor) => tf.Tensor = differentiable(([x], save) => {
  const y = tf.relu(x);
  save([y]);
  return { value: y, gradFunc: (dy, [savedY]) => tf.mul(dy, tf.step(savedY, 0)) };
});

/** 1 / (1 + e^−x), element-wise. Backward: dx = dy·y·(1 − y). */
export const sigmoid: (x: tf.Tensor) => tf.Tensor = differentiable(([x], save) => {
  const y = tf.sigmoid(x);
  save([y]);
  return { value: y, gradFunc: (dy, [savedY]) => tf.mul(dy, tf.mul(savedY, tf.sub(1, savedY))) };
});
