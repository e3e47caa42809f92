import type { Dataset } from '../data/dataset';
import { classCount } from '../data/dataset';
import type { Module } from '../nn/module';
import { classificationMetrics, type ClassificationMetrics } from './metrics';
import { argmaxRows, classScores, rowMaxAndSumExp } from './predict';

export interface Evaluation extends ClassificationMetrics {
  /** Mean cross-entropy over the rows. */
  loss: number;
}

/** Runs the whole dataset through the model in eval mode and scores the predictions against its labels. */
export function evaluate(model: Module, dataset: Dataset): Evaluation {
  const { logits, classes } = classScores(model, dataset.x, dataset.features.length);
  const predicted = argmaxRows(logits, classes);
  return {
    loss: meanCrossEntropy(logits, dataset.y, classes),
    ...classificationMetrics(predicted, dataset.y, Math.max(classes, classCount(dataset))),
  };
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
