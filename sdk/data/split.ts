import { ArgumentError } from '../errors';
import { Generator } from '../random';
import { classCount, selectRows, type Dataset } from './dataset';

export interface SplitOptions {
  /** The fraction of rows that go to the training set, strictly between 0 and 1. */
  trainSize?: number;
  seed?: number;
  /** Split every class in the same proportion, so both parts keep the class balance of the whole. */
  stratify?: boolean;
}

/**
 * Splits a dataset into [train, test], like sklearn's train_test_split: round(trainSize · rows) rows go to training,
 * chosen by a seeded shuffle, so the same seed always gives the same split. Both parts come out in shuffled order.
 * Throws ArgumentError when trainSize is not in (0, 1) or would leave either part empty.
 */
export function trainTestSplit(
  dataset: Dataset,
  { trainSize = 0.8, seed = 0, stratify = false }: SplitOptions = {},
): [Dataset, Dataset] {
  if (!(trainSize > 0 && trainSize < 1)) {
    throw new ArgumentError(`trainSize must be a fraction strictly between 0 and 1, got ${trainSize}`, { trainSize });
  }
  const trainRows = Math.round(trainSize * dataset.rows);
  if (trainRows === 0 || trainRows === dataset.rows) {
    const empty = trainRows === 0 ? 'training' : 'test';
    throw new ArgumentError(
      `trainSize ${trainSize} of ${dataset.rows} rows leaves the ${empty} set empty; change trainSize or use more rows`,
      { trainSize, rows: dataset.rows },
    );
  }
  const generator = new Generator(seed);
  if (!stratify) {
    const order = generator.permutation(dataset.rows);
    return [selectRows(dataset, order.subarray(0, trainRows)), selectRows(dataset, order.subarray(trainRows))];
  }
  const members = rowsByClass(dataset);
  const quotas = trainQuotas(members.map((rows) => rows.length), trainSize, trainRows);
  const train: number[] = [];
  const test: number[] = [];
  members.forEach((rows, label) => {
    shuffled(rows, generator).forEach((row, i) => (i < quotas[label] ? train : test).push(row));
  });
  return [selectRows(dataset, shuffled(train, generator)), selectRows(dataset, shuffled(test, generator))];
}

function rowsByClass(dataset: Dataset): number[][] {
  const members = Array.from({ length: classCount(dataset) }, (): number[] => []);
  dataset.y.forEach((label, row) => members[label].push(row));
  return members;
}

/**
 * How many rows of each class go to training: every class gets the floor of its exact share, and the rows still
 * needed to reach `total` go to the classes with the largest remainders (largest-remainder rounding), so each class
 * is within one row of its exact share and the quotas add up to `total`.
 */
function trainQuotas(classSizes: readonly number[], trainSize: number, total: number): number[] {
  const exact = classSizes.map((size) => size * trainSize);
  const quotas = exact.map(Math.floor);
  const byRemainder = exact.map((_, label) => label).sort((a, b) => exact[b] - quotas[b] - (exact[a] - quotas[a]));
  let missing = total - quotas.reduce((sum, quota) => sum + quota, 0);
  for (const label of byRemainder) {
    if (missing === 0) break;
    quotas[label]++;
    missing--;
  }
  return quotas;
}

function shuffled(values: readonly number[], generator: Generator): Int32Array {
  const order = generator.permutation(values.length);
  return Int32Array.from(order, (i) => values[i]);
}
