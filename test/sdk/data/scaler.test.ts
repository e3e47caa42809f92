import { describe, expect, it } from 'vitest';
import { StandardScaler } from '../../../sdk/data/scaler';
import { ArgumentError } from '../../../sdk/errors';
import { column, datasetOf } from './fixtures';

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const populationStd = (values: number[]) => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));

describe('StandardScaler', () => {
  const train = datasetOf([[1, 10, 5], [2, 30, 5], [3, 20, 5], [4, 60, 5]], [0, 1, 0, 1]);
  const test = datasetOf([[10, 0, 7], [-2, 100, 5]], [1, 0]);

  it('learns each column’s mean and population std (ddof = 0)', () => {
    const scaler = StandardScaler.fit(train);
    expect(scaler.mean).toEqual([2.5, 30, 5]);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(scaler.std[1]).toBeCloseTo(populationStd([10, 30, 20, 60]), 12);
  });

  it('maps the training columns to mean 0 and std 1', () => {
    const scaled = StandardScaler.fit(train).transform(train);
    for (const index of [0, 1]) {
      expect(mean(column(scaled, index))).toBeCloseTo(0, 6);
      expect(populationStd(column(scaled, index))).toBeCloseTo(1, 6);
    }
  });

  it('gives a zero-variance column std 1, so it maps to 0 and nothing becomes NaN or Infinity', () => {
    const scaler = StandardScaler.fit(train);
    expect(scaler.std[2]).toBe(1);
    expect(column(scaler.transform(train), 2)).toEqual([0, 0, 0, 0]);
    expect(column(scaler.transform(test), 2)).toEqual([2, 0]);
  });

  it('gives std 1 to a constant column of a value float64 cannot hold exactly, not a rounding-error std', () => {
    const scaler = StandardScaler.fit(datasetOf(Array.from({ length: 1000 }, () => [0.1]), new Array(1000).fill(0)));
    expect(scaler.std).toEqual([1]);
  });

  it('transforms other data with the statistics it was fitted on, not theirs', () => {
    const scaler = StandardScaler.fit(train);
    const scaled = scaler.transform(test);
    expect(column(scaled, 0)).toEqual([(10 - 2.5) / Math.sqrt(1.25), (-2 - 2.5) / Math.sqrt(1.25)].map(Math.fround));
    expect(mean(column(scaled, 0))).not.toBeCloseTo(0);
  });

  it('returns a new dataset with the labels and names kept, leaving the input untouched', () => {
    const before = Array.from(train.x);
    const scaled = StandardScaler.fit(train).transform(train);
    expect(Array.from(train.x)).toEqual(before);
    expect(scaled.y).toBe(train.y);
    expect(scaled.features).toBe(train.features);
  });

  it('round-trips through toJSON / JSON text / fromJSON', () => {
    const scaler = StandardScaler.fit(train);
    const restored = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
    expect(restored.toJSON()).toEqual(scaler.toJSON());
    expect(restored.transformRows(test.x)).toEqual(scaler.transformRows(test.x));
  });

  it.each([
    ['lengths that differ', { mean: [0, 1], std: [1] }],
    ['empty arrays', { mean: [], std: [] }],
    ['a NaN mean', { mean: [Number.NaN], std: [1] }],
    ['an infinite std', { mean: [0], std: [Number.POSITIVE_INFINITY] }],
    ['a zero std', { mean: [0], std: [0] }],
    ['a negative std', { mean: [0], std: [-1] }],
    ['a missing field', { mean: [0] }],
    ['null', null],
  ])('fromJSON rejects %s with an ArgumentError', (_, json) => {
    expect(() => StandardScaler.fromJSON(json as never)).toThrow(ArgumentError);
  });

  it('rejects rows whose width is not the fitted feature count', () => {
    const scaler = StandardScaler.fit(train);
    expect(() => scaler.transform(datasetOf([[1, 2]], [0]))).toThrow(ArgumentError);
    expect(() => scaler.transformRows(new Float32Array(4))).toThrow(/fitted on 3 features/);
  });
});
