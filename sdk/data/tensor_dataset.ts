import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Dataset } from './dataset';

/** One sample or one batch: inputs and targets. */
export interface Example {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/**
 * Inputs and targets as tensors whose first dimension indexes the samples, as torch.utils.data.TensorDataset(x, y):
 * `[N, F]` features or `[N, C, H, W]` images with `[N]` class indices (or any targets with N rows). The dataset holds
 * the tensors it is given, without copying them; dispose() frees them.
 */
export class TensorDataset {
  /** Throws ArgumentError unless x and y have at least one dimension and the same first one. */
  constructor(
    readonly x: tf.Tensor,
    readonly y: tf.Tensor,
  ) {
    if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
      throw new ArgumentError(
        `TensorDataset needs x and y with the same first dimension (one row per sample), got [${x.shape}] and ` +
          `[${y.shape}]`,
        { x: x.shape, y: y.shape },
      );
    }
  }

  /**
   * The rows of a table read by readCsv (after any split or scaling): x float32 `[N, F]` in `features` order,
   * y int32 `[N]` class labels. The new dataset owns these tensors.
   */
  static fromDataset(dataset: Dataset): TensorDataset {
    return new TensorDataset(
      tf.tensor2d(dataset.x, [dataset.rows, dataset.features.length]),
      tf.tensor1d(dataset.y, 'int32'),
    );
  }

  /** The number of samples, as len(dataset). */
  get length(): number {
    return this.x.shape[0];
  }

  /** Sample `index` (0 ≤ index < length) as new tensors without the first dimension, as dataset[index]; the caller
   *  disposes them. */
  get(index: number): Example {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length)) {
      throw new ArgumentError(`index ${index} is outside the dataset's ${this.length} samples`, { index });
    }
    const row = (t: tf.Tensor) => tf.tidy(() => tf.reshape(tf.slice(t, index, 1), t.shape.slice(1)));
    return { x: row(this.x), y: row(this.y) };
  }

  /** Frees x and y. */
  dispose(): void {
    tf.dispose([this.x, this.y]);
  }
}
