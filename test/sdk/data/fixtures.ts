import type { Dataset } from '../../../sdk/data/dataset';

/** A dataset from rows of feature values and their labels; features are named f0, f1, … */
export function datasetOf(rows: readonly (readonly number[])[], labels: readonly number[]): Dataset {
  const width = rows[0]?.length ?? 0;
  return {
    features: Array.from({ length: width }, (_, i) => `f${i}`),
    target: 'label',
    x: Float32Array.from(rows.flat()),
    y: Int32Array.from(labels),
    rows: rows.length,
  };
}

/** A dataset whose single feature is the row's own index, so a derived dataset shows which rows it took. */
export function indexedDataset(labels: readonly number[]): Dataset {
  return datasetOf(labels.map((_, row) => [row]), labels);
}

/** How many rows carry each label 0..max. */
export function classCounts(y: ArrayLike<number>): number[] {
  const counts: number[] = [];
  for (let i = 0; i < y.length; i++) counts[y[i]] = (counts[y[i]] ?? 0) + 1;
  return Array.from(counts, (count) => count ?? 0);
}

/** The values of one column of a row-major dataset. */
export function column(dataset: Dataset, index: number): number[] {
  const width = dataset.features.length;
  return Array.from({ length: dataset.rows }, (_, row) => dataset.x[row * width + index]);
}
