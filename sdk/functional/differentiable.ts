import * as tf from '@tensorflow/tfjs-core';

export interface Differentiated {
  value: tf.Tensor;
  /** The gradient for each input, given the upstream gradient dy and the tensors passed to save(). */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
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
 * Makes an op whose backward is written beside its forward (tf.customGrad, typed). Every differentiable op of
 * edgeml's is built this way, so training needs no part of tfjs's gradient registry and records one tape node per
 * op. An op without options is made once, at module level; one with options (conv2d's stride, a pool's windows) is
 * made per call with the options in its closure, which costs a closure, not a kernel.
 * Tensors the backward needs go through `save`, which keeps them alive until the backward pass has run.
 *
 * When no gradient tape is recording (inference, evaluation) the forward runs alone, in a tidy scope: tf.customGrad
 * would run it the same way but with bookkeeping for a backward pass that cannot happen.
 */
export function differentiable(
  forward: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => Differentiated,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  let op: ((...inputs: tf.Tensor[]) => tf.Tensor) | undefined;
  return (...inputs) => {
    if (!tf.engine().isTapeOn()) return tf.tidy(() => forward(inputs, saveNothing).value);
    op ??= tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      return forward(args as tf.Tensor[], save);
    }) as (...inputs: tf.Tensor[]) => tf.Tensor;
    return op(...inputs);
  };
}
