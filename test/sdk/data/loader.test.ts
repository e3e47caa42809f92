import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { DataLoader, TensorDataset, type Example } from '../../../sdk/data/index';
import { ArgumentError } from '../../../sdk/errors';
import { datasetOf } from './fixtures';

beforeAll(ready);

/** Ten samples whose features are [i, 10·i] and whose target is i + 100, so every batch shows which rows it holds. */
function tenRows(): TensorDataset {
  const rows = Array.from({ length: 10 }, (_, i) => i);
  return new TensorDataset(
    tf.tensor2d(rows.flatMap((i) => [i, 10 * i]), [10, 2]),
    tf.tensor1d(rows.map((i) => i + 100), 'int32'),
  );
}

/** An epoch read out while its batches are alive: each batch's rows (from x's first column) and targets. */
function epoch(loader: DataLoader): { rows: number[]; y: number[]; shape: number[] }[] {
  return Array.from(loader, ({ x, y }) => ({
    rows: Array.from(tf.tidy(() => tf.reshape(tf.slice(x, [0, 0], [-1, 1]), [-1])).dataSync()),
    y: Array.from(y.dataSync()),
    shape: x.shape,
  }));
}

let dataset: TensorDataset;
afterEach(() => dataset?.dispose());

describe('DataLoader over a TensorDataset', () => {
  it('yields { x, y } batches of the samples in order, with a last partial batch', () => {
    dataset = tenRows();
    const loader = new DataLoader(dataset, { batchSize: 4 });
    const batches = epoch(loader);
    expect(batches.map((b) => b.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches.map((b) => b.rows)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches.map((b) => b.y)).toEqual([[100, 101, 102, 103], [104, 105, 106, 107], [108, 109]]);
    expect(loader.length).toBe(3);
    for (const { x, y } of loader) {
      expect(x.dtype).toBe('float32');
      expect(y.dtype).toBe('int32');
      expect(Array.from(x.dataSync().slice(0, 4))).toEqual([0, 0, 1, 10]);
      break;
    }
  });

  it('drops the last partial batch with dropLast', () => {
    dataset = tenRows();
    const loader = new DataLoader(dataset, { batchSize: 4, dropLast: true });
    expect(epoch(loader).map((b) => b.rows)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(loader.length).toBe(2);
  });

  it('defaults to PyTorch’s batch of one, in order', () => {
    dataset = tenRows();
    const batches = epoch(new DataLoader(dataset));
    expect(batches).toHaveLength(10);
    expect(batches[3]).toEqual({ rows: [3], y: [103], shape: [1, 2] });
  });

  it('shuffles reproducibly for a seed, differently every epoch, keeping x and y rows together', () => {
    dataset = tenRows();
    const options = { batchSize: 3, shuffle: true, seed: 11 };
    const loader = new DataLoader(dataset, options);
    const [first, second] = [epoch(loader), epoch(loader)];
    for (const batches of [first, second]) {
      const rows = batches.flatMap((b) => b.rows);
      expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(batches.flatMap((b) => b.y)).toEqual(rows.map((i) => i + 100));
    }
    expect(second).not.toEqual(first);
    const again = new DataLoader(dataset, options);
    expect([epoch(again), epoch(again)]).toEqual([first, second]);
    expect(epoch(new DataLoader(dataset, { ...options, seed: 12 }))).not.toEqual(first);
  });

  it('batches NCHW images as well as tables', () => {
    const images = tf.tidy(() => tf.mul(tf.reshape(tf.range(0, 6), [6, 1, 1, 1]), tf.ones([6, 2, 3, 3])));
    dataset = new TensorDataset(images, tf.tensor1d([0, 1, 0, 1, 0, 1], 'int32'));
    const shapes: number[][] = [];
    for (const { x, y } of new DataLoader(dataset, { batchSize: 4, shuffle: true, seed: 2 })) {
      shapes.push(x.shape);
      const firstPixels = tf.tidy(() => tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1]));
      // Each image's pixels hold its index, so its label (index parity) must travel with it.
      expect(Array.from(firstPixels.dataSync()).map((i) => i % 2)).toEqual(Array.from(y.dataSync()));
      firstPixels.dispose();
    }
    expect(shapes).toEqual([[4, 2, 3, 3], [2, 2, 3, 3]]);
  });

  it('keeps memory flat over epochs: each batch is disposed when the next is drawn and when the loop ends', () => {
    dataset = tenRows();
    const loader = new DataLoader(dataset, { batchSize: 3, shuffle: true, seed: 0 });
    const before = tf.memory().numTensors;
    let most = 0;
    for (let e = 0; e < 20; e++) {
      for (const batch of loader) {
        most = Math.max(most, tf.memory().numTensors - before);
        expect(batch.x.isDisposed).toBe(false);
      }
    }
    expect(most).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes the batch when the loop is left early, and tolerates a batch the caller disposed', () => {
    dataset = tenRows();
    const loader = new DataLoader(dataset, { batchSize: 4 });
    const before = tf.memory().numTensors;
    let kept: Example | undefined;
    for (const batch of loader) {
      kept = batch;
      break;
    }
    expect(kept!.x.isDisposed).toBe(true);
    for (const batch of loader) tf.dispose([batch.x, batch.y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks its options', () => {
    dataset = tenRows();
    expect(() => new DataLoader(dataset, { batchSize: 0 })).toThrow(ArgumentError);
    expect(() => new DataLoader(dataset, { batchSize: 11, dropLast: true })).toThrow(/no batches: 10 rows/);
  });
});

describe('TensorDataset', () => {
  it('gives its length and one sample without the first dimension', () => {
    dataset = tenRows();
    expect(dataset.length).toBe(10);
    const { x, y } = dataset.get(7);
    expect(x.shape).toEqual([2]);
    expect(Array.from(x.dataSync())).toEqual([7, 70]);
    expect(y.shape).toEqual([]);
    expect(y.dataSync()[0]).toBe(107);
    tf.dispose([x, y]);
    expect(() => dataset.get(10)).toThrow(/index 10 is outside the dataset's 10 samples/);
  });

  it('refuses x and y of different lengths', () => {
    expect(() => new TensorDataset(tf.zeros([4, 2]), tf.zeros([3]))).toThrow(
      /same first dimension.*got \[4,2\] and \[3\]/,
    );
  });

  it('is made from a table read by readCsv: float32 [N, F] features, int32 [N] labels', () => {
    dataset = TensorDataset.fromDataset(datasetOf([[1, 2], [3, 4], [5, 6]], [2, 0, 1]));
    expect([dataset.x.shape, dataset.x.dtype, dataset.y.shape, dataset.y.dtype]).toEqual([
      [3, 2],
      'float32',
      [3],
      'int32',
    ]);
    expect(Array.from(dataset.x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(dataset.y.dataSync())).toEqual([2, 0, 1]);
  });
});
