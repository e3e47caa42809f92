import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable, kernel, kernels } from './differentiable';

const { sub, mul } = kernels;

/**
 * exp(x) / Σ exp(x) along `dim`, as torch.nn.functional.softmax(x, dim). Any shape of rank ≥ 1; `dim` may be
 * negative (−1 is the last axis). Each slice's maximum is subtracted first, so large scores do not overflow.
 * Backward: dx = y ⊙ (dy − Σ_dim dy ⊙ y).
 */
export function softmax(x: tf.Tensor, dim: number): tf.Tensor {
  return opFor(softmaxOps, axisOf('softmax', x, dim), softmaxOp)(floatOf('softmax', x));
}

/**
 * log softmax(x) along `dim` = x − max − log Σ exp(x − max), as torch.nn.functional.log_softmax(x, dim): exact for
 * scores far apart, where log(softmax(x)) would give −∞. Any shape of rank ≥ 1; `dim` may be negative.
 * Backward: dx = dy − exp(y) ⊙ Σ_dim dy.
 */
export function logSoftmax(x: tf.Tensor, dim: number): tf.Tensor {
  return opFor(logSoftmaxOps, axisOf('logSoftmax', x, dim), logSoftmaxOp)(floatOf('logSoftmax', x));
}

/** log softmax along `axis` from backend kernels, without a gradient: for ops that write their own backward
 *  (a nested gradient would cost more than these kernels). */
export function logSoftmaxKernels(x: tf.Tensor, axis: number): tf.Tensor {
  const shifted = sub(x, kernel('Max', { x }, { reductionIndices: [axis], keepDims: true }));
  return sub(shifted, kernel('Log', { x: sumKernel(kernel('Exp', { x: shifted }), [axis], true) }));
}

/** The sum over `axes` (default all) from the backend kernel. */
export function sumKernel(x: tf.Tensor, axes = [...Array(x.rank).keys()], keepDims = false): tf.Tensor {
  return kernel('Sum', { x }, { axis: axes, keepDims });
}

type UnaryOp = (x: tf.Tensor) => tf.Tensor;

// One op per axis, made on first use: the axis is part of the op, not an input (it has no gradient).
const softmaxOps = new Map<number, UnaryOp>();
const logSoftmaxOps = new Map<number, UnaryOp>();

function opFor(ops: Map<number, UnaryOp>, axis: number, make: (axis: number) => UnaryOp): UnaryOp {
  let op = ops.get(axis);
  if (!op) ops.set(axis, (op = make(axis)));
  return op;
}

function softmaxOp(axis: number): UnaryOp {
  return differentiable(([x], save) => {
    const y = kernel('Exp', { x: logSoftmaxKernels(x, axis) });
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [saved]) => mul(saved, sub(dy, sumKernel(mul(dy, saved), [axis], true))),
    };
  });
}

function logSoftmaxOp(axis: number): UnaryOp {
  return differentiable(([x], save) => {
    const y = logSoftmaxKernels(x, axis);
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [saved]) => sub(dy, mul(kernel('Exp', { x: saved }), sumKernel(dy, [axis], true))),
    };
  });
}

/** `dim` as a non-negative axis of x; throws ArgumentError when x has no such axis. */
function axisOf(op: string, x: tf.Tensor, dim: number): number {
  if (!Number.isInteger(dim) || x.rank === 0 || dim < -x.rank || dim >= x.rank) {
    const range = x.rank === 0 ? 'a scalar has none' : `a rank-${x.rank} tensor has dims ${-x.rank}…${x.rank - 1}`;
    throw new ArgumentError(`${op}: dim ${dim} is not an axis of a tensor of shape [${x.shape}] (${range})`, {
      dim,
      shape: x.shape,
    });
  }
  return dim < 0 ? dim + x.rank : dim;
}

/** x itself, when it holds float32 scores (as PyTorch, which has no softmax of integers). */
function floatOf(op: string, x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32') return x;
  throw new ArgumentError(`${op} needs float32 scores, got ${x.dtype}: cast them with tf.cast(x, 'float32')`, {
    dtype: x.dtype,
  });
}
