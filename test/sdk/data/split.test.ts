import { describe, expect, it } from 'vitest';
import { trainTestSplit } from '../../../sdk/data/split';
import { ArgumentError } from '../../../sdk/errors';
import type { Dataset } from '../../../sdk/data/dataset';
import { classCounts, column, indexedDataset } from './fixtures';

const labels = (counts: number[]) => counts.flatMap((count, label) => new Array<number>(count).fill(label));
const ids = (ds: Dataset) => column(ds, 0);

describe('trainTestSplit', () => {
  const dataset = indexedDataset(labels([50, 30, 20]));

  it('gives round(trainSize · rows) training rows and the rest as test rows', () => {
    const [train, test] = trainTestSplit(dataset, { trainSize: 0.75, seed: 1 });
    expect(train.rows).toBe(75);
    expect(test.rows).toBe(25);
    expect(train.features).toEqual(dataset.features);
  });

  it.each([false, true])('returns disjoint parts that together hold every row once (stratify: %s)', (stratify) => {
    const [train, test] = trainTestSplit(dataset, { seed: 5, stratify });
    const all = [...ids(train), ...ids(test)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: dataset.rows }, (_, row) => row));
    ids(train).forEach((row, i) => expect(train.y[i]).toBe(dataset.y[row]));
  });

  it.each([false, true])('is deterministic for a seed and differs for another (stratify: %s)', (stratify) => {
    const [train] = trainTestSplit(dataset, { seed: 3, stratify });
    const [again] = trainTestSplit(dataset, { seed: 3, stratify });
    const [other] = trainTestSplit(dataset, { seed: 4, stratify });
    expect(ids(again)).toEqual(ids(train));
    expect(ids(other)).not.toEqual(ids(train));
  });

  it('keeps every class in the same proportion when stratified', () => {
    const [train, test] = trainTestSplit(dataset, { trainSize: 0.8, seed: 2, stratify: true });
    expect(classCounts(train.y)).toEqual([40, 24, 16]);
    expect(classCounts(test.y)).toEqual([10, 6, 4]);
  });

  it('rounds stratified quotas so the total still matches trainSize · rows', () => {
    const [train] = trainTestSplit(indexedDataset(labels([7, 5, 3])), { trainSize: 0.5, seed: 0, stratify: true });
    expect(train.rows).toBe(8);
    const counts = classCounts(train.y);
    [7, 5, 3].forEach((size, label) => expect(Math.abs(counts[label] - size * 0.5)).toBeLessThan(1));
  });

  it('shuffles both parts of a stratified split instead of grouping them by class', () => {
    const [train, test] = trainTestSplit(dataset, { seed: 9, stratify: true });
    for (const part of [train, test]) {
      const y = Array.from(part.y);
      expect(y).not.toEqual([...y].sort((a, b) => a - b));
    }
  });

  it.each([0, 1, -0.2, 1.5, Number.NaN])('rejects trainSize %s with an ArgumentError', (trainSize) => {
    expect(() => trainTestSplit(dataset, { trainSize })).toThrow(ArgumentError);
    expect(() => trainTestSplit(dataset, { trainSize })).toThrow(/strictly between 0 and 1/);
  });

  it('rejects a trainSize that leaves one part empty, saying which', () => {
    const tiny = indexedDataset([0, 1, 0]);
    expect(() => trainTestSplit(tiny, { trainSize: 0.1 })).toThrow(/leaves the training set empty/);
    expect(() => trainTestSplit(tiny, { trainSize: 0.9 })).toThrow(/leaves the test set empty/);
  });
});
