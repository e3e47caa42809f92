export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** How many rows truly belong to the class. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** confusion[actual][predicted] = row count (sklearn's layout). */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
}

/** Accuracy, confusion matrix and per-class precision/recall/F1; a class never predicted gets precision 0, as
 *  sklearn reports with zero_division=0. */
export function classificationMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  classes: number,
): ClassificationMetrics {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]][predicted[i]] += 1;
    if (actual[i] === predicted[i]) correct += 1;
  }
  const perClass = confusion.map((row, c) => {
    const truePositives = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, r) => sum + r[c], 0);
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
  return {
    accuracy: actual.length === 0 ? 0 : correct / actual.length,
    confusion,
    perClass,
    macroF1: perClass.reduce((sum, m) => sum + m.f1, 0) / Math.max(classes, 1),
  };
}
