/**
 * Makes every tfjs op differentiable and chainable for user code (autograd.backward over `tf.abs`, `t.square()` …).
 * Importing the `@tensorflow/tfjs` package registers all of tfjs's gradients and chained ops on the engine that
 * `@tensorflow/tfjs-core` exports (in Node both resolve to tfjs-core's CommonJS build, so there is one engine).
 * Only the Node entry (sdk/index.ts) imports this file: the Worker serves models and never differentiates, so it
 * does not pay for the umbrella package. edgeml's own ops carry their gradients with them and need none of this.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { exactSign } from '../functional/sign';

/**
 * PyTorch's d|x|/dx is sign(x), 0 at 0 (so an L1 penalty leaves an exactly-zero weight at zero); tfjs's is −1 there.
 * exactSign, not tf.sign, whose wasm kernel gives 0 below 1.2e-7. Registered after the import above, so it replaces
 * tfjs's.
 */
tf.registerGradient({
  kernelName: tf.Abs,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, exactSign(tf.cast(x, 'float32'))) }),
});

/**
 * Comparisons and logical ops are constants to autograd, as in PyTorch (their outputs are booleans without a
 * grad_fn), so that `tf.where(tf.greater(x, 0), x, y)` is differentiable; tfjs registers a (zero) gradient only for
 * GreaterEqual and fails on the others. The zeros are float32, as tfjs requires of a gradient even for a boolean input.
 */
for (const kernelName of [tf.Greater, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual, tf.LogicalAnd, tf.LogicalOr]) {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_, [a, b]) => ({ a: () => tf.zeros(a.shape), b: () => tf.zeros(b.shape) }),
  });
}
tf.registerGradient({
  kernelName: tf.LogicalNot,
  inputsToSave: ['x'],
  gradFunc: (_, [x]) => ({ x: () => tf.zeros(x.shape) }),
});
