import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../../sdk/errors';
import { defaultGenerator, manualSeed } from '../../../sdk/random';
import { BatchSampler } from '../../../sdk/data/sampler';

const epoch = (sampler: BatchSampler) => Array.from(sampler, (batch) => Array.from(batch));
const epochs = (sampler: BatchSampler, count: number) => Array.from({ length: count }, () => epoch(sampler));
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const everyRow = Array.from({ length: 10 }, (_, row) => row);

describe('BatchSampler (the index batches of DataLoader and train.fit)', () => {
  it('yields full batches and a last partial one, or drops it with dropLast', () => {
    const sampler = new BatchSampler(10, { batchSize: 4 });
    expect(epoch(sampler).map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(sampler.length).toBe(3);
    const dropping = new BatchSampler(10, { batchSize: 4, dropLast: true });
    expect(epoch(dropping).map((batch) => batch.length)).toEqual([4, 4]);
    expect(dropping.length).toBe(2);
  });

  it('yields Int32Array batches of row indices in order without shuffle, every epoch', () => {
    const sampler = new BatchSampler(10, { batchSize: 3 });
    expect(Array.from(sampler)[0]).toBeInstanceOf(Int32Array);
    expect(epochs(sampler, 2)).toEqual([
      [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]],
      [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]],
    ]);
  });

  it('visits every row exactly once per shuffled epoch', () => {
    const sampler = new BatchSampler(10, { batchSize: 3, shuffle: true, seed: 1 });
    for (const batches of epochs(sampler, 5)) expect(sorted(batches.flat())).toEqual(everyRow);
  });

  it('reproduces the same epoch sequence for the same seed, and a different one for another seed', () => {
    const options = { batchSize: 4, shuffle: true, seed: 42 };
    const first = epochs(new BatchSampler(10, options), 3);
    expect(epochs(new BatchSampler(10, options), 3)).toEqual(first);
    expect(epochs(new BatchSampler(10, { ...options, seed: 43 }), 3)).not.toEqual(first);
  });

  it('draws a different order every epoch', () => {
    const [a, b, c] = epochs(new BatchSampler(10, { batchSize: 10, shuffle: true, seed: 0 }), 3);
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(b);
  });

  it('draws from the global generator without a seed, so manualSeed makes it reproducible', () => {
    manualSeed(5);
    const first = epochs(new BatchSampler(10, { batchSize: 10, shuffle: true }), 2);
    manualSeed(5);
    expect(epochs(new BatchSampler(10, { batchSize: 10, shuffle: true }), 2)).toEqual(first);
    manualSeed(5);
    expect(Array.from(defaultGenerator().permutation(10))).toEqual(first[0][0]);
  });

  it('consumes an epoch when iteration starts, even if it is abandoned after one batch', () => {
    const partial = new BatchSampler(10, { batchSize: 2, shuffle: true, seed: 7 });
    for (const batch of partial) {
      expect(batch).toHaveLength(2);
      break;
    }
    const full = new BatchSampler(10, { batchSize: 2, shuffle: true, seed: 7 });
    epoch(full);
    expect(epoch(partial)).toEqual(epoch(full));
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects batchSize %s with an ArgumentError', (batchSize) => {
    expect(() => new BatchSampler(10, { batchSize })).toThrow(ArgumentError);
    expect(() => new BatchSampler(10, { batchSize })).toThrow(/positive integer/);
  });

  it('rejects dropLast with a batchSize larger than the dataset, which would leave no batches', () => {
    expect(() => new BatchSampler(10, { batchSize: 11, dropLast: true })).toThrow(/no batches/);
    expect(new BatchSampler(10, { batchSize: 11 }).length).toBe(1);
  });
});
