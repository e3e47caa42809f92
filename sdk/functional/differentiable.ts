import * as tf from '@tensorflow/tfjs-core';

/** An input's gradient, or a function computing it, which runs only when the backward pass needs that input's. */
export type Gradient = tf.Tensor | (() => tf.Tensor);

export interface Differentiated {
  value: tf.Tensor;
  /** The gradient for each input, given the upstream gradient dy and the tensors passed to save(). */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Gradient | Gradient[];
}

type Forward = (inputs: tf.Tensor[], save: tf.GradSaveFunc) => Differentiated;

const saveNothing: tf.GradSaveFunc = () => {};

type KernelAttrs = Parameters<ReturnType<typeof tf.engine>['runKernel']>[2];

/**
 * Runs one backend kernel directly. The ops on the training and inference paths call their kernels this way: a
 * tf.* op wrapper converts its arguments and opens a scope of its own (allocating as it goes), which costs more than
 * these small kernels do. Inputs must already be tensors of the kernel's dtypes and ranks.
 *
 * When the engine would only pass the call on (no gradient tape recording, no profiling or debug checks, its
 * dispatch not replaced, as graph tracing replaces it), the kernel's function is called here and its output tracked
 * as the engine tracks it: the engine's dispatch looks the kernel up twice and opens a scope for each call, about a
 * microsecond per call, where a one-row prediction of the course MLP makes seven calls in ~18 µs.
 */
export function kernel(name: string, inputs: tf.NamedTensorMap, attrs: KernelAttrs = {}): tf.Tensor {
  const engine = tf.engine() as unknown as EngineInternals;
  if (!passesOn(engine)) return engine.runKernel(name, inputs, attrs);
  const backend = engine.backend; // first: it starts the backend if none has started, which names it
  const output = kernelFunction(name, engine.backendName)({ inputs, attrs, backend }) as tf.TensorInfo;
  return output instanceof tf.Tensor ? output : engine.makeTensorFromTensorInfo(output);
}

function passesOn(engine: EngineInternals): boolean {
  const debugging = engine.state.profiling || tf.env().getBool('DEBUG');
  return engine.runKernel === engineDispatch && !engine.isTapeOn() && !debugging;
}

const engineDispatch = Object.getPrototypeOf(tf.engine()).runKernel;
const kernelFunctions = { backend: '', byName: new Map<string, tf.KernelFunc>() };

function kernelFunction(name: string, backend: string): tf.KernelFunc {
  if (kernelFunctions.backend !== backend) {
    kernelFunctions.backend = backend;
    kernelFunctions.byName.clear();
  }
  let found = kernelFunctions.byName.get(name);
  if (found === undefined) {
    found = tf.getKernel(name, backend)?.kernelFunc;
    // The engine's own message for a kernel the backend lacks.
    if (found === undefined) throw new Error(`Kernel '${name}' not registered for backend '${backend}'`);
    kernelFunctions.byName.set(name, found);
  }
  return found;
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
export function differentiable(forward: Forward): (...inputs: tf.Tensor[]) => tf.Tensor {
  return (...inputs) => {
    const engine = tf.engine();
    if (!engine.isTapeOn()) return forwardAlone(engine, forward, inputs);
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

/** The forward without a tape, in a scope of its own: what tf.tidy does, without the closure a tidy call would make
 *  on every call of the op. */
function forwardAlone(engine: ReturnType<typeof tf.engine>, forward: Forward, inputs: tf.Tensor[]): tf.Tensor {
  engine.startScope();
  let value: tf.Tensor | undefined;
  try {
    value = forward(inputs, saveNothing).value;
  } finally {
    engine.endScope(value);
  }
  return value;
}

/** The parts of tfjs 4.22's Engine used here (private in its typings): tf.customGrad is built on runKernelFunc. */
interface EngineInternals {
  runKernel(name: string, inputs: tf.NamedTensorMap, attrs: KernelAttrs): tf.Tensor;
  runKernelFunc(params: {
    inputs: tf.NamedTensorMap;
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  }): tf.Tensor;
  isTapeOn(): boolean;
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
  readonly backend: tf.KernelBackend;
  readonly backendName: string;
  readonly state: { profiling: boolean };
}

/** The gradients as the engine takes them: a function per input, named by the input's position. */
function byInput(gradients: Gradient | Gradient[]): Record<string, () => tf.Tensor> {
  const list = Array.isArray(gradients) ? gradients : [gradients];
  return Object.fromEntries(list.map((g, i) => [i, typeof g === 'function' ? g : () => g]));
}
