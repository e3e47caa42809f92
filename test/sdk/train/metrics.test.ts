import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../../sdk/train/metrics';

describe('classificationMetrics', () => {
  it('builds the confusion matrix as [actual][predicted] and per-class precision/recall/F1', () => {
    const m = classificationMetrics([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 3);
    expect(m.confusion).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [0, 1, 2],
    ]);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.perClass[1]).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(m.perClass[2].precision).toBeCloseTo(2 / 3);
    expect(m.perClass[2].recall).toBeCloseTo(2 / 3);
  });

  it('scores a class that is never predicted as 0 rather than NaN', () => {
    const m = classificationMetrics([0, 0], [0, 1], 2);
    expect(m.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 0) / 2);
  });
});
