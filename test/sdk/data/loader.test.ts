import { describe, expect, it } from 'vitest';
import { DataLoader } from '../../../sdk/data/loader';
import { ArgumentError } from '../../../sdk/errors';
import { datasetOf, indexedDataset } from './fixtures';

const tenRows = indexedDataset([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
const epoch = (loader: DataLoader) => Array.from(loader, (batch) => Array.from(batch));
const epochs = (loader: DataLoader, count: number) => Array.from({ length: count }, () => epoch(loader));
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const everyRow = Array.from({ length: 10 }, (_, row) => row);

describe('DataLoader', () => {
  it('yields full batches and a last partial one, or drops it with dropLast', () => {
    const loader = new DataLoader(tenRows, { batchSize: 4 });
    expect(epoch(loader).map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(loader.length).toBe(3);
    const dropping = new DataLoader(tenRows, { batchSize: 4, dropLast: true });
    expect(epoch(dropping).map((batch) => batch.length)).toEqual([4, 4]);
    expect(dropping.length).toBe(2);
  });

  it('yields Int32Array batches of row indices in file order without shuffle, every epoch', () => {
    const loader = new DataLoader(tenRows, { batchSize: 3 });
    const batches = Array.from(loader);
    expect(batches[0]).toBeInstanceOf(Int32Array);
    expect(epochs(loader, 2)).toEqual([
      [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]],
      [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]],
    ]);
  });

  it('visits every row exactly once per shuffled epoch', () => {
    const loader = new DataLoader(tenRows, { batchSize: 3, shuffle: true, seed: 1 });
    for (const batches of epochs(loader, 5)) expect(sorted(batches.flat())).toEqual(everyRow);
  });

  it('reproduces the same epoch sequence for the same seed, and a different one for another seed', () => {
    const options = { batchSize: 4, shuffle: true, seed: 42 };
    const first = epochs(new DataLoader(tenRows, options), 3);
    expect(epochs(new DataLoader(tenRows, options), 3)).toEqual(first);
    expect(epochs(new DataLoader(tenRows, { ...options, seed: 43 }), 3)).not.toEqual(first);
  });

  it('draws a different order every epoch', () => {
    const [a, b, c] = epochs(new DataLoader(tenRows, { batchSize: 10, shuffle: true, seed: 0 }), 3);
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(b);
  });

  it('consumes an epoch when iteration starts, even if it is abandoned after one batch', () => {
    const partial = new DataLoader(tenRows, { batchSize: 2, shuffle: true, seed: 7 });
    for (const batch of partial) {
      expect(batch).toHaveLength(2);
      break;
    }
    const full = new DataLoader(tenRows, { batchSize: 2, shuffle: true, seed: 7 });
    epoch(full);
    expect(epoch(partial)).toEqual(epoch(full));
  });

  it('gives the rows of a batch, in batch order', () => {
    const dataset = datasetOf([[1, 2], [3, 4], [5, 6]], [0, 1, 2]);
    const loader = new DataLoader(dataset, { batchSize: 2 });
    const { x, y, rows } = loader.batch(Int32Array.of(2, 0));
    expect(rows).toBe(2);
    expect(Array.from(x)).toEqual([5, 6, 1, 2]);
    expect(Array.from(y)).toEqual([2, 0]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects batchSize %s with an ArgumentError', (batchSize) => {
    expect(() => new DataLoader(tenRows, { batchSize })).toThrow(ArgumentError);
    expect(() => new DataLoader(tenRows, { batchSize })).toThrow(/positive integer/);
  });

  it('rejects dropLast with a batchSize larger than the dataset, which would leave no batches', () => {
    expect(() => new DataLoader(tenRows, { batchSize: 11, dropLast: true })).toThrow(/no batches/);
    expect(new DataLoader(tenRows, { batchSize: 11 }).length).toBe(1);
  });
});
