import { ArgumentError } from '../errors';
import { Generator } from '../random';
import { selectRows, type Dataset } from './dataset';

export interface DataLoaderOptions {
  batchSize: number;
  /** Visit the rows in a fresh seeded order every epoch instead of in file order. */
  shuffle?: boolean;
  seed?: number;
  /** Skip the last batch of an epoch when it is smaller than batchSize. */
  dropLast?: boolean;
}

/** The rows of one batch, row-major as in Dataset. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
}

/**
 * Batches of row indices over a dataset, as torch.utils.data.DataLoader: each `for … of loader` is one epoch and
 * yields Int32Arrays of row indices, so a training loop can gather batches from tensors uploaded once; `batch()`
 * gives the rows themselves. With `shuffle`, one Generator seeded with `seed` draws a new permutation at the start
 * of every epoch, so epoch e is the same for every loader built with the same seed.
 */
export class DataLoader implements Iterable<Int32Array> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;

  /** Throws ArgumentError unless batchSize is a positive integer that leaves at least one batch per epoch. */
  constructor(
    readonly dataset: Dataset,
    { batchSize, shuffle = false, seed = 0, dropLast = false }: DataLoaderOptions,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new ArgumentError(`batchSize must be a positive integer, got ${batchSize}`, { batchSize });
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = new Generator(seed);
    if (this.length === 0) {
      throw new ArgumentError(
        `no batches: ${dataset.rows} rows${dropLast ? ` with dropLast and batchSize ${batchSize}` : ''}; ` +
          'use more rows, a smaller batchSize, or dropLast: false',
        { rows: dataset.rows, batchSize, dropLast },
      );
    }
  }

  /** Batches per epoch, as len(loader). */
  get length(): number {
    const rows = this.dataset.rows;
    return this.dropLast ? Math.floor(rows / this.batchSize) : Math.ceil(rows / this.batchSize);
  }

  /** One epoch of index batches; the epoch's order is drawn when iteration starts, not at the first batch. */
  [Symbol.iterator](): Iterator<Int32Array> {
    return this.batchesOf(this.epochOrder());
  }

  /** The rows at `indices` (one of this loader's batches, or any row indices), in that order. */
  batch(indices: ArrayLike<number>): Batch {
    const { x, y, rows } = selectRows(this.dataset, indices);
    return { x, y, rows };
  }

  private epochOrder(): Int32Array {
    if (this.shuffle) return this.generator.permutation(this.dataset.rows);
    return Int32Array.from({ length: this.dataset.rows }, (_, row) => row);
  }

  private *batchesOf(order: Int32Array): IterableIterator<Int32Array> {
    for (let batch = 0; batch < this.length; batch++) {
      yield order.slice(batch * this.batchSize, (batch + 1) * this.batchSize);
    }
  }
}
