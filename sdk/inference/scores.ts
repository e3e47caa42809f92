import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module';

export interface ClassScores {
  /** rows × classes, row-major. */
  logits: Float32Array;
  probabilities: Float32Array;
  classes: number;
}

/**
 * Runs `rows` rows of `x` (row-major, `width` columns) through the model in eval mode and returns its scores and
 * softmax probabilities (see tensorClassScores).
 */
export function classScores(model: Module, x: Float32Array, width: number): ClassScores {
  const input = tf.tensor2d(x, [x.length / width, width]);
  try {
    return tensorClassScores(model, input);
  } finally {
    input.dispose();
  }
}

/**
 * Runs `x` (`[N, …]`: rows, images) through the model in eval mode and returns its `[N, classes]` scores and softmax
 * probabilities. The model's mode is restored afterwards. This is the one inference path: training's evaluation,
 * bundles in Node and the Worker all call it. The softmax is computed on the host from the scores that are read back
 * anyway (in float64, each row's maximum subtracted first): cheaper than another kernel and read.
 */
export function tensorClassScores(model: Module, x: tf.Tensor): ClassScores {
  const rows = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    // The tidy returns the tensor, not its data: tidy walks whatever it returns, a typed array index by index.
    const scores = tf.tidy(() => model.forward(x));
    let logits: Float32Array;
    try {
      logits = scores.dataSync() as Float32Array;
    } finally {
      scores.dispose();
    }
    const classes = logits.length / Math.max(rows, 1);
    return { logits, probabilities: softmaxRows(logits, classes), classes };
  } finally {
    // eval() put every module in eval mode, so only a model that was training needs setting back.
    if (wasTraining) model.train();
  }
}

function softmaxRows(scores: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(scores.length);
  for (let start = 0; start < scores.length; start += classes) {
    const { max, sumExp } = rowMaxAndSumExp(scores, start, classes);
    for (let c = start; c < start + classes; c++) out[c] = Math.exp(scores[c] - max) / sumExp;
  }
  return out;
}

/** The largest of the `classes` scores from `start`, and Σ exp(score − max) in float64: the stable pieces of a
 *  row's softmax and log-sum-exp (the cross-entropy on the host uses them too). */
export function rowMaxAndSumExp(scores: Float32Array, start: number, classes: number): { max: number; sumExp: number } {
  let max = -Infinity;
  for (let c = start; c < start + classes; c++) max = Math.max(max, scores[c]);
  let sumExp = 0;
  for (let c = start; c < start + classes; c++) sumExp += Math.exp(scores[c] - max);
  return { max, sumExp };
}

/** The index of each row's largest score. */
export function argmaxRows(scores: Float32Array, classes: number): Int32Array {
  const rows = scores.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}
