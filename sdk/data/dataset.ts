/**
 * A numeric table held in typed arrays: `x` is `rows × features.length`, row-major; `y` holds integer class labels.
 * Kept out of tfjs on purpose: splitting, scaling and shuffling are cheap in plain arrays and leave no tensors to
 * dispose; tensors are made once, when training or prediction starts.
 */
export interface Dataset {
  readonly features: readonly string[];
  readonly target: string;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
  /** Where the rows came from, for the bundle manifest's data digest. */
  readonly source?: DataSource;
}

export interface DataSource {
  readonly path: string;
  readonly sha256: string;
}

/** The number of classes a dataset's labels imply (largest label + 1). */
export function classCount(dataset: Dataset): number {
  let max = -1;
  for (const label of dataset.y) if (label > max) max = label;
  return max + 1;
}

/** The rows at `indices`, in that order, as a new dataset. */
export function selectRows(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const width = dataset.features.length;
  const x = new Float32Array(indices.length * width);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    x.set(dataset.x.subarray(row * width, (row + 1) * width), i * width);
    y[i] = dataset.y[row];
  }
  return { ...dataset, x, y, rows: indices.length };
}
