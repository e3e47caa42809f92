// globalSetup of the worker test project. It runs in Node before the workerd tests, loads the bundle the Worker
// serves with the SDK's Node loader, predicts rows of the synthetic data set, and provides rows and predictions to
// the tests, which must get the same answers from the Worker. Computed each run, so it never goes stale.
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ready } from '../../sdk/backend';
import { load } from '../../sdk/bundle/load';
import { readCsv } from '../../sdk/data/csv';
import type { Dataset } from '../../sdk/data/dataset';
import type { ParityCase } from '../worker/provided';
import { provideCorpus } from './corpus-setup';
import { provideDigits } from './digits-setup';
import { provideImageParity } from './image-parity-setup';
import { provideRegistry } from './registry-setup';

const MODEL = 'phone-price';
const BUNDLE = 'worker/models/phone-price';
const DATA = 'data/phone-price.csv';
const TARGET = 'price_range';
const ROWS = 512;

export default async function setup(project: TestProject): Promise<void> {
  const root = project.config.root;
  provideCorpus(project); // the hardening tests' files (corpus.test.ts, properties.test.ts)
  await ready();
  await provideImageParity(project); // the image routes' expected answers (image-parity.test.ts)
  await provideDigits(project); // the digit classifier's expected answers (digits.test.ts)
  await provideRegistry(project); // bundles to publish, with the SDK's answers (registry.test.ts)
  const bundle = await load(path.join(root, BUNDLE));
  try {
    const data = await readCsv(path.join(root, DATA), { target: TARGET });
    const instances = rowsInOrder(data, bundle.features, ROWS);
    const parity: ParityCase = { model: MODEL, instances, expected: bundle.predict(instances) };
    project.provide('parity', parity);
  } finally {
    bundle.dispose();
  }
}

/** The first `count` rows of `data` as arrays of the `features` columns, in that order. */
function rowsInOrder(data: Dataset, features: readonly string[], count: number): number[][] {
  const columns = features.map((name) => {
    const column = data.features.indexOf(name);
    if (column < 0) throw new Error(`${DATA} has no column "${name}", which the model needs`);
    return column;
  });
  const width = data.features.length;
  return Array.from({ length: Math.min(count, data.rows) }, (_, row) =>
    columns.map((column) => data.x[row * width + column]),
  );
}
