import type * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { TensorDataset } from '../data/tensor_dataset';
import { ArgumentError } from '../errors';
import { argmaxRows, classScores, rowMaxAndSumExp, tensorClassScores } from '../inference/scores';
import type { Module } from '../nn/module';
import { classificationMetrics, type ClassificationMetrics } from './metrics';

export interface Evaluation extends ClassificationMetrics {
  /** Mean cross-entropy over the samples. */
  loss: number;
}

/**
 * Runs the whole dataset through the classifier in eval mode and scores its predictions against the labels: a
 * table read by readCsv, or a TensorDataset (rows or NCHW images) whose `y` holds `[N]` class indices.
 */
export function evaluate(model: Module, dataset: Dataset | TensorDataset): Evaluation {
  const { logits, classes } =
    dataset instanceof TensorDataset
      ? tensorClassScores(model, dataset.x)
      : classScores(model, dataset.x, dataset.features.length);
  const labels = dataset instanceof TensorDataset ? classLabels(dataset.y, classes) : dataset.y;
  const predicted = argmaxRows(logits, classes);
  let largest = classes - 1;
  for (const label of labels) largest = Math.max(largest, label);
  return {
    loss: meanCrossEntropy(logits, labels, classes),
    ...classificationMetrics(predicted, labels, largest + 1),
  };
}

/** `y` as class indices in [0, classes): ArgumentError for anything else (evaluate scores classifiers). */
function classLabels(y: tf.Tensor, classes: number): Int32Array {
  const values = y.dataSync();
  const index = values.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < classes));
  if (y.rank !== 1 || index >= 0) {
    throw new ArgumentError(
      `evaluate scores a classifier of ${classes} classes: y must be [N] class indices in [0, ${classes})` +
        (index >= 0 ? `, got ${values[index]} at y[${index}]` : `, got shape [${y.shape}]`),
    );
  }
  return Int32Array.from(values);
}

/** Cross-entropy of host-side scores, in float64 with the row maximum subtracted first. */
function meanCrossEntropy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let r = 0; r < labels.length; r++) {
    const { max, sumExp } = rowMaxAndSumExp(logits, r * classes, classes);
    total += Math.log(sumExp) + max - logits[r * classes + labels[r]];
  }
  return labels.length === 0 ? 0 : total / labels.length;
}
