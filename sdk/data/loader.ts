import * as tf from '@tensorflow/tfjs-core';
import { augmented } from './image_dataset';
import { BatchSampler, type SamplerOptions } from './sampler';
import type { Example, TensorDataset } from './tensor_dataset';

/** SamplerOptions, with batchSize defaulting to 1 as in PyTorch. */
export type DataLoaderOptions = Partial<SamplerOptions>;

/**
 * Batches of a TensorDataset, as torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False):
 * each `for (const batch of loader)` is one epoch, yielding `{ x, y }` with the samples' rows stacked along the
 * first dimension (`[B, …]`, B = batchSize except perhaps the last batch). With `shuffle`, every epoch visits the
 * samples in a new order; with a `seed` the sequence of orders is reproducible (see BatchSampler).
 *
 * The loader reads the dataset's tensors once, when its first epoch starts, and keeps a copy on the host from which
 * it builds each batch (a tf.Variable assigned later is not seen). Training reads every sample once per epoch, so a
 * copy made once is cheaper than a gather on the backend per batch; it costs the dataset's size in host memory.
 *
 * Ownership, so that memory stays flat in a loop that never disposes (as PyTorch code is written): the loader owns
 * each batch and disposes it when the next one is requested and when the epoch ends, or the loop is left by
 * `break`, `return` or an exception. A batch is therefore valid in its own iteration only: `tf.clone` what must
 * outlive it. Disposing a batch yourself is harmless.
 */
export class DataLoader implements Iterable<Example> {
  private readonly sampler: BatchSampler;
  /** The dataset's tensors, read to the host when the first epoch starts (see gather). */
  private host: { x: HostTensor; y: HostTensor } | undefined;

  /** Throws ArgumentError unless batchSize is a positive integer that leaves at least one batch per epoch. */
  constructor(
    readonly dataset: TensorDataset,
    { batchSize = 1, ...options }: DataLoaderOptions = {},
  ) {
    this.sampler = new BatchSampler(dataset.length, { batchSize, ...options });
  }

  get batchSize(): number {
    return this.sampler.batchSize;
  }

  /** Batches per epoch, as len(loader). */
  get length(): number {
    return this.sampler.length;
  }

  /** One epoch; its order is drawn here, not at the first batch. */
  [Symbol.iterator](): Iterator<Example> {
    return this.batches(this.sampler[Symbol.iterator]());
  }

  private *batches(epoch: Iterable<Int32Array>): Generator<Example, void, undefined> {
    let batch: Example | undefined;
    try {
      for (const rows of epoch) {
        if (batch) tf.dispose([batch.x, batch.y]);
        batch = this.gather(rows);
        yield batch;
      }
    } finally {
      if (batch) tf.dispose([batch.x, batch.y]);
    }
  }

  /** The samples at `rows`, in that order, copied from the host copy and uploaded as one tensor each; an
   *  ImageDataset's augmentation applies to the batch. */
  private gather(rows: Int32Array): Example {
    this.host ??= { x: hostCopy(this.dataset.x), y: hostCopy(this.dataset.y) };
    return { x: augmented(this.dataset, take(this.host.x, rows)), y: take(this.host.y, rows) };
  }
}

/** A tensor's values on the host, and how many of them make one sample. */
interface HostTensor {
  readonly values: Float32Array | Int32Array | Uint8Array;
  readonly sampleSize: number;
  readonly shape: number[];
  readonly dtype: tf.DataType;
}

function hostCopy(t: tf.Tensor): HostTensor {
  const values = t.dataSync() as HostTensor['values'];
  return { values, sampleSize: t.size / t.shape[0], shape: t.shape, dtype: t.dtype };
}

/** The samples at `rows` of `source`, stacked along the first dimension. */
function take({ values, sampleSize, shape, dtype }: HostTensor, rows: Int32Array): tf.Tensor {
  const out = new (values.constructor as new (length: number) => HostTensor['values'])(rows.length * sampleSize);
  if (sampleSize === 1) {
    for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  } else {
    for (let i = 0; i < rows.length; i++) {
      out.set(values.subarray(rows[i] * sampleSize, (rows[i] + 1) * sampleSize), i * sampleSize);
    }
  }
  return tf.tensor(out, [rows.length, ...shape.slice(1)], dtype);
}
