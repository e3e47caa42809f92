/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The image routes compute what the SDK computes in Node: the expected answers come from the worker project's
// globalSetup (test/worker-node/image-parity-setup.ts), computed with sdk/functional and bundle.load in Node.
import { describe, expect, inject, it } from 'vitest';
import { fromBase64, type TensorJson } from '../worker-node/image-cases';
import { post, viaSelf } from './helpers';

const parity = inject('imageParity');

interface TensorAnswer {
  output: TensorJson;
  model?: string;
}

/** Same shape; every value within `tolerance`·(1 + |expected|) (0: exactly equal). */
function expectClose(actual: TensorJson, expected: TensorJson, tolerance: number): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data).toHaveLength(expected.data.length);
  if (tolerance === 0) {
    expect(actual.data).toEqual(expected.data);
    return;
  }
  const worst = Math.max(
    0,
    ...actual.data.map((value, i) => Math.abs(value - expected.data[i]) / (1 + Math.abs(expected.data[i]))),
  );
  expect(worst).toBeLessThanOrEqual(tolerance);
}

async function tensorAnswer(response: Response): Promise<TensorAnswer> {
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return (await response.json()) as TensorAnswer;
}

describe('POST /v1/image/conv2d (JSON form) gives the numbers F.conv2d gives in Node', () => {
  it.each(parity.conv2d.map((c) => [c.name, c] as const))('%s', async (_, { body, expected }) => {
    const { output } = await tensorAnswer(await post('/v1/image/conv2d', body));
    expectClose(output, expected, 1e-5);
  });
});

describe('POST /v1/image/pool (JSON form) gives the numbers F.maxPool2d / F.avgPool2d give in Node', () => {
  it.each(parity.pool.map((c) => [c.name, c] as const))('%s', async (_, { body, expected }) => {
    const { output } = await tensorAnswer(await post('/v1/image/pool', body));
    // Max pooling picks values: exactly equal. Average pooling divides: within 1e-5.
    expectClose(output, expected, body.mode === 'max' ? 0 : 1e-5);
  });
});

describe('POST /v1/models/features/transform gives what bundle.transform gives in Node', () => {
  it(`on ${parity.transform.image}, with ?format=json`, async () => {
    const { model, image, expected } = parity.transform;
    const response = await viaSelf(`/v1/models/${model}/transform?format=json`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg' },
      body: fromBase64(parity.images[image]),
    });
    const answer = await tensorAnswer(response);
    expect(answer.model).toBe(model);
    expectClose(answer.output, expected, 1e-5);
  });
});
