import * as tf from '@tensorflow/tfjs-core';

/** An input's gradient, or a function computing it, which runs only when the backward pass needs that input's. */
export type Gradient = tf.Tensor | (() => tf.Tensor);

export interface Differentiated {
  value: tf.Tensor;
  /** The gradient for each input, given the upstream gradient dy and the tensors passed to save(). */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Gradient | Gradient[];
}

const saveNothing: tf.GradSaveFunc = () => {};

type KernelAttrs = Parameters<ReturnType<typeof tf.engine>['runKernel']>[2];

/**
 * Runs one backend kernel directly. The ops on the training and inference paths call their kernels this way: a
 * tf.* op wrapper converts its arguments and opens a scope of its own (allocating as it goes), which costs more than
 * these small kernels do. Inputs must already be tensors of the kernel's dtypes and ranks.
 */
export function kernel(name: string, inputs: tf.NamedTensorMap, attrs: KernelAttrs = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs);
}

/** The kernels those paths use most, called through `kernel`: same arithmetic as the tf.* ops of the same names. */
export const kernels = {
  add: (a: tf.Tensor, b: tf.Tensor) => kernel('Add', { a, b }),
  sub: (a: tf.Tensor, b: tf.Tensor) => kernel('Sub', { a, b }),
  mul: (a: tf.Tensor, b: tf.Tensor) => kernel('Multiply', { a, b }),
  div: (a: tf.Tensor, b: tf.Tensor) => kernel('RealDiv', { a, b }),
  /** a·b, neither transposed (the only products XNNPACK runs on wasm). */
  matMul: (a: tf.Tensor, b: tf.Tensor) => kernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }),
  /** The transpose of a matrix. */
  transpose: (x: tf.Tensor) => kernel('Transpose', { x }, { perm: [1, 0] }),
  reshape: (x: tf.Tensor, shape: number[]) => kernel('Reshape', { x }, { shape }),
};

/**
 * Makes an op whose backward is written beside its forward. Every differentiable op of edgeml's is built this way,
 * so training needs no part of tfjs's gradient registry and records one tape node per op. An op without options is
 * made once, at module level; one with options (conv2d's stride, a pool's windows) is made per call with the options
 * in its closure, which costs a closure, not a kernel.
 * Tensors the backward needs go through `save`, which keeps them alive until the backward pass has run.
 *
 * The op is recorded as tf.customGrad records one, through the engine's runKernelFunc, with one difference: an input
 * whose gradient is given as a function gets it computed only when the backward pass reaches that input. The engine
 * asks only for the gradients of inputs that depend on a trainable variable, so a first layer skips the gradient of
 * its input batch (for a Linear, a product as large as its weight's). tf.customGrad would compute every one.
 *
 * When no gradient tape is recording (inference, evaluation) the forward runs alone, in a tidy scope: recording it
 * would only add bookkeeping for a backward pass that cannot happen.
 */
export function differentiable(
  forward: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => Differentiated,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return (...inputs) => {
    const engine = tf.engine();
    if (!engine.isTapeOn()) return tf.tidy(() => forward(inputs, saveNothing).value);
    let gradFunc: Differentiated['gradFunc'];
    return (engine as unknown as EngineInternals).runKernelFunc({
      inputs: Object.fromEntries(inputs.map((t, i) => [i, t])),
      forwardFunc: (_, save) => {
        const result = forward(inputs, save);
        gradFunc = result.gradFunc;
        return result.value;
      },
      backwardsFunc: (dy, saved) => byInput(gradFunc(dy, saved)),
    });
  };
}

/** The part of tfjs 4.22's Engine that tf.customGrad is built on (private in its typings). */
interface EngineInternals {
  runKernelFunc(params: {
    inputs: tf.NamedTensorMap;
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  }): tf.Tensor;
}

/** The gradients as the engine takes them: a function per input, named by the input's position. */
function byInput(gradients: Gradient | Gradient[]): Record<string, () => tf.Tensor> {
  const list = Array.isArray(gradients) ? gradients : [gradients];
  return Object.fromEntries(list.map((g, i) => [i, typeof g === 'function' ? g : () => g]));
}
