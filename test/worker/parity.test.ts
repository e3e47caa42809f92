/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, inject, it } from 'vitest';
import type { Prediction } from '../../sdk/bundle/bundle';
import { features, keyed, predict } from './helpers';
import './provided';

const TOLERANCE = 1e-6;

/** Same classes and labels, probabilities within TOLERANCE; reports the first differing row. */
function expectSamePredictions(actual: Prediction[], expected: Prediction[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((prediction, row) => {
    const want = expected[row];
    expect({ row, class: prediction.class, label: prediction.label }).toEqual({ row, class: want.class, label: want.label });
    expect(prediction.probabilities.length, `row ${row}`).toBe(want.probabilities.length);
    const worst = Math.max(...prediction.probabilities.map((p, i) => Math.abs(p - want.probabilities[i])));
    expect(worst, `row ${row}: largest probability difference`).toBeLessThanOrEqual(TOLERANCE);
  });
}

describe('the Worker predicts what the SDK predicts in Node (bundle.load(...).predict)', () => {
  const { model, instances, expected } = inject('parity');

  it(`for ${instances.length} rows of data/phone-price.csv sent as arrays of raw features`, async () => {
    expect(instances.length).toBeGreaterThanOrEqual(200);
    const response = await predict(instances, model);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; predictions: Prediction[] };
    expect(body.model).toBe(model);
    expectSamePredictions(body.predictions, expected);
  });

  it('for the same rows sent as objects keyed by feature name', async () => {
    const names = await features(model);
    const response = await predict(instances.map((row) => keyed(names, row)), model);
    expect(response.status).toBe(200);
    expectSamePredictions(((await response.json()) as { predictions: Prediction[] }).predictions, expected);
  });
});
