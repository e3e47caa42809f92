import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';

/** The options of a loss over class indices (nllLoss; crossEntropy adds label smoothing). */
export interface ClassTargetOptions {
  /** The weight of each class, `[C]` (PyTorch's `weight`); default 1 for every class. */
  weight?: tf.Tensor | ArrayLike<number>;
  /** A target equal to this contributes nothing to the loss, its gradient or the mean's divisor. Default −100. */
  ignoreIndex?: number;
}

/**
 * Class-index targets turned into the weight each log-probability gets: the loss of sample i (a row, or a position
 * of a K-dimensional input) is −Σ_c q[i, c]·log p[i, c], with
 *   q[i, c] = (1 − ε)·w[y_i]·[c = y_i] + (ε / C)·w[c]   for a target y_i ≠ ignoreIndex, and 0 for an ignored one,
 * which is PyTorch's nll part plus its label-smoothing part (ε = labelSmoothing, w the class weights). 'mean'
 * divides the sum by Σ w[y_i] over the samples not ignored (PyTorch's rule, smoothing part included).
 */
export interface ClassTargets {
  /** q, laid out as the input `[N, C, d1, …]`. */
  readonly q: Float32Array;
  /** Σ_c q[i, c] for each sample, laid out as `[N, 1, d1, …]`; null when every one is exactly 1. */
  readonly totals: Float32Array | null;
  /** The divisor of 'mean'. */
  readonly weightSum: number;
}

/**
 * Reads, checks and weighs class-index targets for an input of shape `[N, C, d1, …]` (`[N, C]` for plain
 * classification). `targets` is `[N, d1, …]` (a tensor of any dtype, or a flat array in that order); every value
 * must be an integer in [0, C) or equal to ignoreIndex, else an ArgumentError names the first bad one and where it is.
 */
export function classTargets(
  op: string,
  inputShape: readonly number[],
  targets: tf.Tensor | ArrayLike<number>,
  { weight, ignoreIndex = -100 }: ClassTargetOptions,
  labelSmoothing = 0,
): ClassTargets {
  const [rows, classes] = inputShape;
  const targetShape = [rows, ...inputShape.slice(2)];
  const labels = readTargets(op, inputShape, targetShape, targets);
  const weights = readWeight(op, weight, classes);
  if (!Number.isInteger(ignoreIndex)) {
    throw new ArgumentError(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`, { ignoreIndex });
  }
  const spatial = labels.length / Math.max(rows, 1);
  const q = new Float32Array(labels.length * classes);
  const totals = new Float32Array(labels.length);
  const smooth = labelSmoothing / classes;
  let smoothTotal = 0;
  if (weights) for (let c = 0; c < classes; c++) smoothTotal += smooth * weights[c];
  else smoothTotal = smooth * classes;
  let weightSum = 0;
  let allOnes = true;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === ignoreIndex) {
      allOnes = false;
      continue;
    }
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      const at = position(i, targetShape);
      throw new ArgumentError(
        `${op}: target ${label} at ${at} is not a class index: targets must be integers in [0, ${classes})` +
          ` or ignoreIndex (${ignoreIndex})`,
        { value: label, position: at, classes, ignoreIndex },
      );
    }
    // Sample i is position s of row n; its class c sits at ((n·C + c)·spatial + s) in the input's layout.
    const base = (i - (i % spatial)) * classes + (i % spatial);
    const w = weights ? weights[label] : 1;
    weightSum += w;
    if (labelSmoothing > 0) {
      for (let c = 0; c < classes; c++) q[base + c * spatial] = smooth * (weights ? weights[c] : 1);
    }
    q[base + label * spatial] += (1 - labelSmoothing) * w;
    totals[i] = (1 - labelSmoothing) * w + smoothTotal;
    if (totals[i] !== 1) allOnes = false;
  }
  return { q, totals: allOnes ? null : totals, weightSum };
}

/** The label smoothing ε in [0, 1], as PyTorch requires. */
export function checkLabelSmoothing(op: string, labelSmoothing: number): number {
  if (labelSmoothing >= 0 && labelSmoothing <= 1) return labelSmoothing;
  throw new ArgumentError(`${op}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`, { labelSmoothing });
}

/** Class weights `[C]` on the host, or undefined when none are given. */
export function readWeight(op: string, weight: tf.Tensor | ArrayLike<number> | undefined, classes: number) {
  if (weight === undefined) return undefined;
  const values = weight instanceof tf.Tensor ? weight.dataSync() : weight;
  const shape = weight instanceof tf.Tensor ? weight.shape : [weight.length];
  if (shape.length !== 1 || values.length !== classes) {
    throw new ArgumentError(`${op}: weight must have one value per class, [${classes}], got shape [${shape}]`, {
      shape,
      classes,
    });
  }
  return values;
}

function readTargets(
  op: string,
  inputShape: readonly number[],
  targetShape: number[],
  targets: tf.Tensor | ArrayLike<number>,
): ArrayLike<number> {
  const count = targetShape.reduce((a, b) => a * b, 1);
  const fits =
    targets instanceof tf.Tensor
      ? targets.rank === targetShape.length && targets.shape.every((size, i) => size === targetShape[i])
      : targets.length === count;
  if (!fits) {
    const got = targets instanceof tf.Tensor ? `shape [${targets.shape}]` : `${targets.length} values`;
    throw new ArgumentError(
      `${op}: input [${inputShape}] needs class-index targets of shape [${targetShape}] (${count} values), got ${got}`,
      { input: inputShape, expected: targetShape },
    );
  }
  return targets instanceof tf.Tensor ? targets.dataSync() : targets;
}

/** Flat index i of a tensor of `shape`, written as `targets[3]` or `targets[1, 2, 0]`. */
function position(i: number, shape: number[]): string {
  const at: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    at.unshift(i % shape[axis]);
    i = Math.floor(i / shape[axis]);
  }
  return `targets[${at.join(', ')}]`;
}
