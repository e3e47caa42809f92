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
 * softmax probabilities. The model's mode is restored afterwards. This is the one inference path: training's
 * evaluation, bundles in Node and the Worker all call it.
 */
export function classScores(model: Module, x: Float32Array, width: number): ClassScores {
  const rows = x.length / width;
  const wasTraining = model.training;
  model.eval();
  try {
    const [logits, probabilities] = tf.tidy(() => {
      const out = model.forward(tf.tensor2d(x, [rows, width]));
      return [out.dataSync() as Float32Array, tf.softmax(out).dataSync() as Float32Array];
    });
    return { logits, probabilities, classes: logits.length / Math.max(rows, 1) };
  } finally {
    model.train(wasTraining);
  }
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
