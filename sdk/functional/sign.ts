import * as tf from '@tensorflow/tfjs-core';

/**
 * torch.sign for a float tensor: 1 where x > 0, −1 where x < 0, 0 at ±0 and NaN (as PyTorch 1.13), as float32.
 * For gradients (d|x|/dx), in place of tf.sign: the wasm backend's Sign kernel returns 0 for every |x| below
 * float32's epsilon, 2⁻²³ ≈ 1.19e-7 (tfjs-backend-wasm src/cc/kernels/Sign.cc), and an L1 term drives weights into
 * exactly that range, where PyTorch's gradient is still ±1. Comparisons are exact on every backend.
 */
export function exactSign(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32')));
}
