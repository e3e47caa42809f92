// Smoke test: the real `wrangler dev` (local workerd) serves a prediction of the default model; stopped by its
// process group id. Runs in Node, as part of npm test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleInstance, startWrangler, type WranglerServer } from '../../scripts/wrangler.mjs';

describe('wrangler dev', () => {
  let server: WranglerServer;
  let state: string;
  beforeAll(async () => {
    // Its own local state: models published to the developer's `npm start` are not the built-in ones checked here.
    state = await mkdtemp(path.join(tmpdir(), 'edgeml-state-'));
    server = await startWrangler({ readyTimeoutMs: 90_000, persistTo: state });
  }, 120_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(true);
    await rm(state, { recursive: true, force: true });
  }, 30_000);

  it('answers /healthz on the wasm backend', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(await response.json()).toMatchObject({ status: 'ok', backend: 'wasm', models: ['phone-price', 'features', 'digits'] });
  });

  it('predicts a row of the synthetic data set', async () => {
    const response = await fetch(`${server.url}/v1/models/phone-price/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instances: [exampleInstance()] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; predictions: { label: string; probabilities: number[] }[] };
    expect(body.model).toBe('phone-price');
    expect(body.predictions).toHaveLength(1);
    expect(body.predictions[0].probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
