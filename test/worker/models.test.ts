/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, it } from 'vitest';
import { get, MODEL } from './helpers';

interface Manifest {
  name: string;
  task: string;
  preprocess: { features: string[]; scaler: { mean: number[]; std: number[] } | null };
  labels: string[];
  weights: { file: string; sha256: string; bytes: number };
  training: { data?: { sha256: string; rows: number } };
  metrics: Record<string, unknown>;
}

const BUILT_IN = { source: 'built-in', version: null };

describe('GET /v1/models', () => {
  it('lists every served model with its task, features and labels', async () => {
    const manifest = (await (await get(`/v1/models/${MODEL}`)).json()) as Manifest;
    const response = await get('/v1/models');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      models: [
        {
          name: MODEL,
          task: 'tabular-classification',
          input: 'tabular',
          features: manifest.preprocess.features,
          labels: manifest.labels,
          created: expect.any(String),
          served: BUILT_IN,
        },
        {
          name: 'features',
          task: 'image-transform',
          input: 'image',
          features: [],
          labels: ['0', '1', '2', '3'],
          created: expect.any(String),
          served: BUILT_IN,
        },
        {
          name: 'digits',
          task: 'image-classification',
          input: 'image',
          features: [],
          labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
          created: expect.any(String),
          served: BUILT_IN,
        },
      ],
    });
  });
});

describe('GET /v1/models/{name}', () => {
  it("answers the bundle's manifest: features, scaler, labels, weight digest, data digest and metrics", async () => {
    const response = await get(`/v1/models/${MODEL}`);
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as Manifest;
    expect(manifest.name).toBe(MODEL);
    expect(manifest.preprocess.features.length).toBeGreaterThan(0);
    expect(manifest.preprocess.scaler?.mean).toHaveLength(manifest.preprocess.features.length);
    expect(manifest.weights).toEqual({ file: 'model.safetensors', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number) });
    expect(manifest.training.data?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.metrics).toHaveProperty('test_accuracy');
  });

  it('says the built-in model is served and lists no published versions while the registry has none', async () => {
    expect(await (await get(`/v1/models/${MODEL}`)).json()).toMatchObject({ served: BUILT_IN, versions: [] });
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await get(`/v1/models/${MODEL}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('GET /openapi.json', () => {
  it('documents every route, the request and error schemas, and the bearer scheme', async () => {
    const response = await get('/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, { maxItems?: number }> }>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/v1/image/conv2d',
      '/v1/image/pool',
      '/v1/models',
      '/v1/models/{name}',
      '/v1/models/{name}/predict',
      '/v1/models/{name}/transform',
      '/v1/models/{name}/versions/{version}',
      '/v1/models/{name}/versions/{version}/activate',
      '/v1/models/{name}/versions/{version}/predict',
      '/v1/models/{name}/versions/{version}/transform',
    ]);
    expect(Object.keys(doc.paths['/v1/models/{name}/predict'].post.responses).sort()).toEqual(
      ['200', '400', '401', '404', '413', '415', '422', '503'],
    );
    expect(doc.components.schemas.PredictRequest.properties?.instances.maxItems).toBe(1024);
    expect(doc.components.schemas).toHaveProperty('Error');
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
  });
});
