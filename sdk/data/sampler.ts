import { ArgumentError } from '../errors';
import { defaultGenerator, Generator } from '../random';

export interface SamplerOptions {
  /** Rows per batch: a positive integer. */
  batchSize: number;
  /** Visit the rows in a fresh random order every epoch instead of in order. Default false. */
  shuffle?: boolean;
  /** Seeds the shuffle: the same seed gives the same sequence of epochs. Without one, each epoch's order is drawn
   *  from the global generator (reseeded by manualSeed), as PyTorch draws from its default generator. */
  seed?: number;
  /** Skip the last batch of an epoch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * The row indices of each epoch's batches, as torch.utils.data's sampler and BatchSampler together: each `for … of`
 * is one epoch, yielding Int32Arrays of row indices (views of one epoch-long order, in batch order). With `shuffle`
 * the epoch's order is a permutation drawn when iteration starts, so epoch e is the same for every sampler made
 * with the same seed, even if an earlier epoch was abandoned part-way.
 */
export class BatchSampler implements Iterable<Int32Array> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;

  /** Throws ArgumentError unless batchSize is a positive integer that leaves at least one batch per epoch. */
  constructor(
    readonly rows: number,
    { batchSize, shuffle = false, seed, dropLast = false }: SamplerOptions,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new ArgumentError(`batchSize must be a positive integer, got ${batchSize}`, { batchSize });
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = seed === undefined ? undefined : new Generator(seed);
    if (this.length === 0) {
      throw new ArgumentError(
        `no batches: ${rows} rows${dropLast ? ` with dropLast and batchSize ${batchSize}` : ''}; ` +
          'use more rows, a smaller batchSize, or dropLast: false',
        { rows, batchSize, dropLast },
      );
    }
  }

  /** Batches per epoch, as len(loader). */
  get length(): number {
    return this.dropLast ? Math.floor(this.rows / this.batchSize) : Math.ceil(this.rows / this.batchSize);
  }

  /** One epoch of index batches; its order is drawn here, not at the first batch. */
  [Symbol.iterator](): IterableIterator<Int32Array> {
    const order = this.shuffle
      ? (this.generator ?? defaultGenerator()).permutation(this.rows)
      : Int32Array.from({ length: this.rows }, (_, row) => row);
    return Array.from({ length: this.length }, (_, batch) =>
      order.subarray(batch * this.batchSize, (batch + 1) * this.batchSize),
    ).values();
  }
}
