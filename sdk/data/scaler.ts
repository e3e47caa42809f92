import { ArgumentError } from '../errors';
import type { Dataset } from './dataset';

export interface ScalerJSON {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Standardises features as sklearn's StandardScaler: x' = (x − mean) / std per column, with the population standard
 * deviation (ddof = 0). A constant column gets std 1, as sklearn's scale_ does, so it maps to 0 instead of NaN.
 * Fit it on the training split only: statistics taken from test rows leak them into training and flatter the
 * test score. The fitted mean and std travel in the bundle manifest (toJSON / fromJSON) so serving scales alike.
 */
export class StandardScaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  /** Throws ArgumentError unless mean and std are equally long, non-empty and finite, with every std > 0. */
  constructor(mean: readonly number[], std: readonly number[]) {
    if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || mean.length !== std.length) {
      throw new ArgumentError(
        `a scaler needs non-empty mean and std arrays of equal length, got ${shapeOf(mean)} and ${shapeOf(std)}`,
      );
    }
    mean.forEach((value, column) => {
      if (!Number.isFinite(value)) throw new ArgumentError(`scaler mean[${column}] must be finite, got ${value}`);
    });
    std.forEach((value, column) => {
      if (!(Number.isFinite(value) && value > 0)) {
        throw new ArgumentError(`scaler std[${column}] must be a positive finite number, got ${value}`);
      }
    });
    this.mean = Object.freeze([...mean]);
    this.std = Object.freeze([...std]);
  }

  /** Learns each column's mean and population std (in float64) from `dataset`, which should be the training split. */
  static fit(dataset: Dataset): StandardScaler {
    const width = dataset.features.length;
    if (dataset.rows === 0 || width === 0) {
      throw new ArgumentError(`cannot fit a scaler on ${dataset.rows} rows × ${width} features; it needs data`);
    }
    const sum = new Float64Array(width);
    for (let i = 0; i < dataset.x.length; i++) sum[i % width] += dataset.x[i];
    const mean = Array.from(sum, (total) => total / dataset.rows);
    const squares = new Float64Array(width);
    for (let i = 0; i < dataset.x.length; i++) squares[i % width] += (dataset.x[i] - mean[i % width]) ** 2;
    // n copies of one float32 add up exactly in float64 (below 2^29 rows): a constant column's variance is exactly 0.
    const std = Array.from(squares, (total) => Math.sqrt(total / dataset.rows) || 1);
    return new StandardScaler(mean, std);
  }

  /** Rebuilds a scaler from `toJSON()` output (e.g. a bundle manifest), validating it as the constructor does. */
  static fromJSON(json: ScalerJSON): StandardScaler {
    if (typeof json !== 'object' || json === null) {
      throw new ArgumentError(`a scaler's JSON must be an object with mean and std, got ${shapeOf(json)}`);
    }
    return new StandardScaler(json.mean, json.std);
  }

  /** A new dataset with the features standardised; labels, names and source are kept. */
  transform(dataset: Dataset): Dataset {
    return { ...dataset, x: this.transformRows(dataset.x, dataset.features.length) };
  }

  /**
   * Standardises row-major rows of `width` values (default: the fitted feature count) into a new array.
   * Throws ArgumentError if `width` is not the fitted feature count or does not divide `x.length`.
   */
  transformRows(x: Float32Array, width = this.mean.length): Float32Array {
    if (width !== this.mean.length || x.length % width !== 0) {
      throw new ArgumentError(
        `the scaler was fitted on ${this.mean.length} features, got rows of ${width} values (${x.length} in all)`,
        { expected: this.mean.length, width, length: x.length },
      );
    }
    const out = new Float32Array(x.length);
    const { mean, std } = this;
    for (let row = 0; row < x.length; row += width) {
      for (let j = 0; j < width; j++) out[row + j] = (x[row + j] - mean[j]) / std[j];
    }
    return out;
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: [...this.mean], std: [...this.std] };
  }
}

function shapeOf(value: unknown): string {
  return Array.isArray(value) ? `an array of ${value.length}` : String(value);
}
