import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable, kernel } from './differentiable';

/** How a loss reduces its per-element values, as PyTorch's `reduction`: 'none' keeps them, 'sum' adds them,
 *  'mean' averages them (for class losses: a weighted average, see crossEntropy). */
export type Reduction = 'none' | 'mean' | 'sum';

/** The loss options every PyTorch loss takes. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Options whose reduction leaves one number (the overloads that return a tf.Scalar). */
export type Reducing<Options extends ReductionOptions> = Options & { reduction?: 'mean' | 'sum' };

/** `reduction` when it is one of PyTorch's three; an ArgumentError naming them otherwise. */
export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction === 'none' || reduction === 'mean' || reduction === 'sum') return reduction;
  throw new ArgumentError(`${op}: reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(reduction)}`, {
    reduction,
  });
}

/** One loss term per element of the input, and its derivatives (see pointwiseLoss). */
export interface Pointwise {
  /** Each element's loss: the input's shape. */
  loss: tf.Tensor;
  /** Tensors the backward needs, kept until it has run. */
  saved: tf.Tensor[];
  /** The gradients with respect to input and target, given g, the upstream gradient of each element's loss. */
  backward: (g: tf.Tensor, saved: tf.Tensor[]) => [tf.Tensor, tf.Tensor];
}

/**
 * A loss of one term per element (MSE, L1, binary cross-entropy), reduced: differentiable in both input and target,
 * which must have the same shape — PyTorch would broadcast a `[N]` target against an `[N, 1]` output into `[N, N]`
 * (with a warning); here that is an error. An integer target is taken as float32. Constants such as class weights
 * belong in `terms`' closure: they get no gradient.
 */
export function pointwiseLoss(
  op: string,
  input: tf.Tensor,
  target: tf.Tensor,
  reduction: Reduction,
  terms: (input: tf.Tensor, target: tf.Tensor) => Pointwise,
): tf.Tensor {
  if (input.dtype !== 'float32') {
    throw new ArgumentError(`${op} needs a float32 input, got ${input.dtype}`, { dtype: input.dtype });
  }
  if (!tf.util.arraysEqual(input.shape, target.shape)) {
    throw new ArgumentError(
      `${op}: target shape [${target.shape}] differs from input shape [${input.shape}]; reshape one to the other ` +
        '(e.g. an [N, 1] output against [N] targets: squeeze the output)',
      { input: input.shape, target: target.shape },
    );
  }
  const floatTarget = target.dtype === 'float32' ? target : tf.cast(target, 'float32');
  const count = input.size;
  // Made per call: `terms` closes over this call's constants.
  const loss = differentiable(([x, t], save) => {
    const { loss: perElement, saved, backward } = terms(x, t);
    save(saved);
    return {
      value: reduce(perElement, reduction, count),
      gradFunc: (dy, kept) => backward(upstream(dy, reduction, count, x.shape), kept),
    };
  })(input, floatTarget);
  if (floatTarget !== target) floatTarget.dispose();
  return loss;
}

function reduce(perElement: tf.Tensor, reduction: Reduction, count: number): tf.Tensor {
  if (reduction === 'none') return perElement;
  const total = kernel('Sum', { x: perElement }, { axis: [...Array(perElement.rank).keys()], keepDims: false });
  return reduction === 'sum' ? total : kernel('RealDiv', { a: total, b: tf.scalar(count) });
}

/** The upstream gradient of each element's loss, from that of the reduced loss. */
function upstream(dy: tf.Tensor, reduction: Reduction, count: number, shape: number[]): tf.Tensor {
  if (reduction === 'none') return dy;
  const each = reduction === 'mean' ? tf.div(dy, count) : dy;
  return tf.broadcastTo(tf.reshape(each, shape.map(() => 1)), shape);
}

