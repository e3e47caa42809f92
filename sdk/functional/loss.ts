import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import {
  checkLabelSmoothing,
  classTargets,
  readWeight,
  type ClassTargetOptions,
  type ClassTargets,
} from './class_targets';
import { differentiable, kernel, kernels } from './differentiable';
import { checkReduction, type Reducing, type Reduction, type ReductionOptions } from './reduction';
import { logSoftmaxKernels, sumKernel } from './softmax';

const { sub, mul, div, reshape } = kernels;

export interface NLLLossOptions extends ClassTargetOptions, ReductionOptions {}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C (PyTorch's `label_smoothing`). Default 0. */
  labelSmoothing?: number;
}

/** Class-index targets: a tensor `[N, d1, …]` of any dtype, or the same values as a flat array. */
export type ClassIndices = tf.Tensor | ArrayLike<number>;

/**
 * Cross-entropy of raw scores, as torch.nn.functional.cross_entropy(input, target, weight, ignore_index=-100,
 * reduction='mean', label_smoothing=0):
 *
 * - class-index targets (a target shape of the input's without dim 1): the loss of sample i is
 *   −Σ_c q[i, c]·log softmax(input)[i, c] with q from the weights, ignoreIndex and labelSmoothing as ClassTargets
 *   defines it; for the plain case that is logsumexp(input[i]) − input[i, y_i]. Every target must be an integer in
 *   [0, C) or ignoreIndex (an ArgumentError names the first that is not). 'mean' divides by the summed weight of the
 *   targets not ignored (their count without weights); if every target is ignored it is 0/0 = NaN, as in PyTorch.
 * - class-probability targets (a float32 tensor of the input's shape): the loss of sample i is
 *   −Σ_c w[c]·t'[i, c]·log softmax(input)[i, c] with t' = (1 − ε)·target + ε/C; 'mean' divides by the number of
 *   samples (N·d1·…). The gradient reaches the target too.
 *
 * Shapes: input `[N, C]` or `[N, C, d1, …]` (class scores along dim 1); 'none' gives `[N]` or `[N, d1, …]`.
 * Computed through log-softmax, which subtracts each sample's maximum first, so scores in the thousands neither
 * overflow nor lose the gradient. Backward: d input = g·(softmax(input)·Σ_c q − q), g the upstream gradient of
 * each sample's loss (dy/weightSum for 'mean').
 */
export function crossEntropy(
  input: tf.Tensor,
  target: ClassIndices,
  options?: Reducing<CrossEntropyOptions>,
): tf.Scalar;
export function crossEntropy(input: tf.Tensor, target: ClassIndices, options: CrossEntropyOptions): tf.Tensor;
export function crossEntropy(input: tf.Tensor, target: ClassIndices, options: CrossEntropyOptions = {}): tf.Tensor {
  const op = 'crossEntropy';
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  const smoothing = checkLabelSmoothing(op, options.labelSmoothing ?? 0);
  checkScores(op, input);
  if (target instanceof tf.Tensor && tf.util.arraysEqual(target.shape, input.shape)) {
    const weight = readWeight(op, options.weight, input.shape[1]!);
    return probabilityCrossEntropy(input, target, weight, smoothing, reduction);
  }
  return classLoss(input, classTargets(op, input.shape, target, options, smoothing), reduction, true);
}

/**
 * Negative log-likelihood of log-probabilities (e.g. logSoftmax's output), as torch.nn.functional.nll_loss(input,
 * target, weight, ignore_index=-100, reduction='mean'): the loss of sample i is −w[y_i]·input[i, y_i], 0 for a target
 * equal to ignoreIndex; 'mean' divides by Σ w[y_i] over the targets not ignored. Shapes and target rules as
 * crossEntropy's class-index form. Backward: d input[i, y_i] = −g·w[y_i].
 */
export function nllLoss(input: tf.Tensor, target: ClassIndices, options?: Reducing<NLLLossOptions>): tf.Scalar;
export function nllLoss(input: tf.Tensor, target: ClassIndices, options: NLLLossOptions): tf.Tensor;
export function nllLoss(input: tf.Tensor, target: ClassIndices, options: NLLLossOptions = {}): tf.Tensor {
  const op = 'nllLoss';
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  checkScores(op, input);
  return classLoss(input, classTargets(op, input.shape, target, options), reduction, false);
}

/**
 * −Σ_c q ⊙ log p, reduced, with q constant: log p = logSoftmax(input) when `softmax`, else the input itself. The op
 * is made per call because q (the targets' weights) is a constant of this call, not an input: nothing computes a
 * gradient for it. The forward keeps one tensor for the backward (each kept tensor costs a copy and a tape node);
 * the forward of a training step is always followed by its backward.
 */
function classLoss(input: tf.Tensor, targets: ClassTargets, reduction: Reduction, softmax: boolean): tf.Tensor {
  const q = tf.tensor(targets.q, input.shape);
  const totals = targets.totals && tf.tensor(targets.totals, [input.shape[0], 1, ...input.shape.slice(2)]);
  const loss = differentiable(([x], save) => {
    let logP = x;
    if (softmax) {
      logP = logSoftmaxKernels(x, 1);
      const p = kernel('Exp', { x: logP });
      save([sub(totals ? mul(p, totals) : p, q)]);
    } else {
      save([kernel('Neg', { x: q })]);
    }
    return {
      value: reduced(mul(logP, q), reduction, targets.weightSum),
      gradFunc: (dy, [error]) => mul(error, upstream(dy, reduction, targets.weightSum, x.shape)),
    };
  })(input);
  tf.dispose(totals ? [q, totals] : q);
  return loss;
}

/** Cross-entropy against class probabilities; see crossEntropy. Class weights are constants (no gradient). */
function probabilityCrossEntropy(
  input: tf.Tensor,
  target: tf.Tensor,
  weights: ArrayLike<number> | undefined,
  smoothing: number,
  reduction: Reduction,
): tf.Tensor {
  if (target.dtype !== 'float32') {
    throw new ArgumentError(
      `crossEntropy: a target of the input's shape [${input.shape}] holds class probabilities and must be float32, ` +
        `got ${target.dtype} (class indices have shape [${[input.shape[0], ...input.shape.slice(2)]}])`,
      { dtype: target.dtype },
    );
  }
  const [, classes, ...spatial] = input.shape;
  const samples = input.size / classes;
  // q = (1 − ε)·w·t + (ε/C)·w = scale·t + offset, both per class, shaped to broadcast over [N, C, d1, …].
  const [scale, offset] = tf.tidy(() => {
    const perClass = tf.reshape(
      weights ? tf.tensor1d(Float32Array.from(weights)) : tf.ones([classes]),
      [1, classes, ...spatial.map(() => 1)],
    );
    return [tf.mul(perClass, 1 - smoothing), tf.mul(perClass, smoothing / classes)];
  });
  const loss = differentiable(([x, t], save) => {
    const logP = logSoftmaxKernels(x, 1);
    const q = smoothing > 0 ? kernels.add(mul(t, scale), offset) : mul(t, scale);
    // d loss/d q = −log p, and dq/dt = scale: the target's gradient before g.
    save([sub(mul(kernel('Exp', { x: logP }), sumKernel(q, [1], true)), q), kernel('Neg', { x: mul(logP, scale) })]);
    return {
      value: reduced(mul(logP, q), reduction, samples),
      gradFunc: (dy, [error, targetError]) => {
        const g = upstream(dy, reduction, samples, x.shape);
        return [mul(error, g), mul(targetError, g)];
      },
    };
  })(input, target);
  tf.dispose([scale, offset]);
  return loss;
}

/** −Σ over classes of `terms` ([N, C, d1, …]), reduced: 'none' → [N, d1, …]; 'sum'; 'mean' divides by `divisor`. */
function reduced(terms: tf.Tensor, reduction: Reduction, divisor: number): tf.Tensor {
  if (reduction === 'none') return kernel('Neg', { x: sumKernel(terms, [1]) });
  // −Σ/d written as Σ/(−d): the same value (division rounds symmetrically in sign), one kernel fewer.
  return div(sumKernel(terms), tf.scalar(reduction === 'mean' ? -divisor : -1));
}

/** The upstream gradient of each sample's loss, shaped to broadcast over the input [N, C, d1, …]. */
function upstream(dy: tf.Tensor, reduction: Reduction, divisor: number, shape: number[]): tf.Tensor {
  if (reduction === 'none') return reshape(dy, [shape[0], 1, ...shape.slice(2)]);
  return reduction === 'mean' ? div(dy, tf.scalar(divisor)) : dy;
}

function checkScores(op: string, input: tf.Tensor): void {
  if (input.rank < 2) {
    throw new ArgumentError(`${op} expects an input of shape [N, C] or [N, C, d1, …], got [${input.shape}]`, {
      shape: input.shape,
    });
  }
  if (input.dtype !== 'float32') {
    throw new ArgumentError(`${op} needs float32 scores, got ${input.dtype}`, { dtype: input.dtype });
  }
}

