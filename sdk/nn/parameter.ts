import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';

/**
 * A tensor a module learns, as torch.nn.Parameter: a `tf.Variable` (trainable when `requiresGrad`) with PyTorch's
 * `grad`, the gradient accumulated by `autograd.backward` and read by the optimisers; `null` until a backward pass
 * reaches the parameter, and again after `zeroGrad()`. Whoever replaces `grad` disposes the tensor it replaces.
 */
export type Parameter = tf.Variable & { grad: tf.Tensor | null };

interface ParameterConstructor {
  /**
   * `data` is the initial value. The parameter takes it over without copying: a plain tensor is disposed (clone it
   * first to keep using it); a `tf.Variable` (another parameter, a buffer) is only read. Parameters that require a
   * gradient must be float32, as PyTorch requires a floating-point dtype.
   */
  new (data: tf.Tensor, requiresGrad?: boolean): Parameter;
  /** True for the variables made by `new Parameter(…)`; a plain `tf.Variable`, such as a buffer, is not one. */
  [Symbol.hasInstance](value: unknown): value is Parameter;
}

const made = new WeakSet<object>();

/**
 * `new nn.Parameter(tensor)` returns the variable itself (not a wrapper), so a parameter goes wherever a tensor or
 * a variable does — tf ops, tf.variableGrads, optimisers — and `instanceof nn.Parameter` still tells it apart.
 */
export const Parameter = class {
  constructor(data: tf.Tensor, requiresGrad = true) {
    if (requiresGrad && data.dtype !== 'float32') {
      throw new ArgumentError(`only float32 tensors can require gradients, got a ${data.dtype} tensor for a Parameter`, {
        dtype: data.dtype,
      });
    }
    const parameter: Parameter = Object.assign(tf.variable(data, requiresGrad), { grad: null });
    // The variable shares the tensor's data; disposing the tensor only drops its reference.
    if (!(data instanceof tf.Variable)) data.dispose();
    made.add(parameter);
    return parameter;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && made.has(value);
  }
} as unknown as ParameterConstructor;
