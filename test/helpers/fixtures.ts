import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A tensor as the PyTorch fixture generator writes it: flat row-major data. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Reads test/fixtures/torch/<name>, made by scripts/fixtures/make_torch_fixtures.py with real PyTorch. */
export function torchFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}`, import.meta.url), 'utf8')) as T;
}

export function fromFixture(t: FixtureTensor, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.tensor(t.data, t.shape, dtype);
}

/** Asserts shape and |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first offending index. */
export function expectClose(actual: tf.Tensor, expected: FixtureTensor, { atol = 1e-5, rtol = 1e-5 } = {}): void {
  expect(actual.shape).toEqual(expected.shape);
  const values = actual.dataSync();
  const worst = expected.data.findIndex((e, i) => !(Math.abs(values[i] - e) <= atol + rtol * Math.abs(e)));
  expect(worst, `element ${worst}: got ${values[worst]}, expected ${expected.data[worst]}`).toBe(-1);
}
