/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The model registry inside workerd, on the test pool's real R2 binding: publish, list, activate, pin, delete,
// concurrent uploads, refused uploads, auth, the serving cache, and activations seen by other isolates.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { createApp, type RegistryOptions } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, MODEL, viaApp } from './helpers';

const { instances, versions } = inject('registry');
/** An 8×6 RGB PNG (gradients). */
const SAMPLE_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAcUlEQVR4nA3BIQEEMRADwIg4XLwiVkRwcUVERHFxRKyIxcUn4iT8zwDAwJOIiRR4sAq62EA8IyIj' +
  'Z1CxTqhi3zDAGMwkJ5eow130ZQHKIabW1N8+cqmuGjCHV1rTW/Zxlfv6BXqNVvaebXWd7ur39vcDEPA88QG8czsAAAAASUVORK5CYII=';
const ADMIN = 'admin-secret';
const bucket = (env as { MODELS: R2Bucket }).MODELS;
let unique = 0;

/** A fresh model name per test: the bucket is shared by the tests of this file. */
const freshName = () => `tiny-${Date.now()}-${unique++}`;

function registryApp(options: { registry?: Partial<RegistryOptions>; maxUploadBytes?: number } = {}, bindings: object = {}) {
  const app = createApp({
    models: defaultModels,
    registry: options.registry,
    limits: { registry: options.maxUploadBytes === undefined ? undefined : { maxUploadBytes: options.maxUploadBytes } },
  });
  return client(viaApp(app, { MODELS: bucket, EDGEML_ADMIN_TOKEN: ADMIN, ...bindings }));
}

type Api = ReturnType<typeof registryApp>;

const weightsOf = (index: number) => Uint8Array.from(atob(versions[index].weights), (c) => c.charCodeAt(0));

function form(manifest: unknown, weights: Uint8Array): FormData {
  const body = new FormData();
  body.append('model.json', new Blob([JSON.stringify(manifest)], { type: 'application/json' }), 'model.json');
  body.append('model.safetensors', new Blob([weights]), 'model.safetensors');
  return body;
}

const auth = (token = ADMIN) => ({ Authorization: `Bearer ${token}` });

function publish(api: Api, name: string, index: number, query = '', body = form(versions[index].manifest, weightsOf(index))) {
  return api.get(`/v1/models/${name}${query}`, { method: 'PUT', headers: auth(), body });
}

const activate = (api: Api, name: string, version: number, token = ADMIN) =>
  api.get(`/v1/models/${name}/versions/${version}/activate`, { method: 'POST', headers: auth(token) });

const remove = (api: Api, name: string, version: number) =>
  api.get(`/v1/models/${name}/versions/${version}`, { method: 'DELETE', headers: auth() });

async function predictions(response: Response): Promise<{ probabilities: number[]; class: number }[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { predictions: { probabilities: number[]; class: number }[] }).predictions;
}

/** Asserts the answers are version `index`'s as the SDK computed them in Node (1e-6). */
async function expectVersion(response: Response, index: number): Promise<void> {
  const got = await predictions(response);
  const expected = versions[index].expected;
  expect(got.map((p) => p.class)).toEqual(expected.map((p) => p.class));
  got.forEach((p, i) => p.probabilities.forEach((value, j) => expect(value).toBeCloseTo(expected[i].probabilities[j], 6)));
}

const pinned = (api: Api, name: string, version: number) =>
  api.post(`/v1/models/${name}/versions/${version}/predict`, { instances });

describe('publishing a version', () => {
  it('stores it, serves it at once with the SDK\'s outputs, and lists it with its metrics', async () => {
    const api = registryApp();
    const name = freshName();
    const response = await publish(api, name, 0);
    expect(response.status).toBe(201);
    expect(response.headers.get('Location')).toBe(`/v1/models/${name}/versions/1`);
    const manifest = versions[0].manifest as { weights: { sha256: string } };
    expect(await response.json()).toEqual({ model: name, version: 1, sha256: manifest.weights.sha256, active: true });
    await expectVersion(await api.predict(instances, name), 0);
    const details = (await (await api.get(`/v1/models/${name}`)).json()) as Record<string, unknown>;
    expect(details).toMatchObject({ served: { source: 'registry', version: 1 }, version: 1, labels: ['low', 'medium', 'high', 'very high'] });
    expect(details.versions).toEqual([
      { version: 1, sha256: manifest.weights.sha256, bytes: weightsOf(0).length, created: expect.any(String), published: expect.any(String), metrics: { test_accuracy: 0.5 }, active: true },
    ]);
    const list = (await (await api.get('/v1/models')).json()) as { models: { name: string; served: unknown }[] };
    expect(list.models.find((model) => model.name === name)?.served).toEqual({ source: 'registry', version: 1 });
    expect(list.models.map((model) => model.name).slice(0, 3)).toEqual([MODEL, 'features', 'digits']);
  });

  it('rolls back and forward by activation, serves pinned versions whichever is active, and never reuses a number', async () => {
    const api = registryApp();
    const name = freshName();
    await publish(api, name, 0);
    expect(await (await publish(api, name, 1)).json()).toMatchObject({ version: 2, active: true });
    await expectVersion(await api.predict(instances, name), 1); // a traced subclass, served as the new active version
    await expectVersion(await pinned(api, name, 1), 0);
    expect(await (await activate(api, name, 1)).json()).toEqual({ model: name, active: 1, versions: [1, 2] });
    await expectVersion(await api.predict(instances, name), 0);
    await expectVersion(await pinned(api, name, 2), 1);
    await activate(api, name, 2);
    await expectVersion(await api.predict(instances, name), 1);

    await expectError(await remove(api, name, 2), 409, 'version_active');
    expect(await (await remove(api, name, 1)).json()).toEqual({ model: name, active: 2, versions: [2] });
    const gone = await expectError(await pinned(api, name, 1), 404, 'version_not_found');
    expect(gone.details).toMatchObject({ available: [2] });
    expect(await (await publish(api, name, 0)).json()).toMatchObject({ version: 3 });
    await expectError(await activate(api, name, 9), 404, 'version_not_found');
    await expectError(await pinned(api, name, 0), 404, 'version_not_found');
  });

  it('stores without serving with activate=false; the first version is always active', async () => {
    const api = registryApp();
    const name = freshName();
    expect(await (await publish(api, name, 0, '?activate=false')).json()).toMatchObject({ version: 1, active: true });
    expect(await (await publish(api, name, 1, '?activate=false')).json()).toMatchObject({ version: 2, active: false });
    await expectVersion(await api.predict(instances, name), 0);
    await expectVersion(await pinned(api, name, 2), 1);
  });

  it('overrides a built-in model of the same name, which serves again only while the registry has none of it', async () => {
    const api = registryApp({}, { MODELS: await emptyBucketView() });
    const builtIn = await predictions(await api.predict([Array(20).fill(1)], MODEL));
    expect(builtIn).toHaveLength(1);
    // phone-price's features are named differently from the tiny model's: a published tiny model answers 422 to them
    expect((await publish(api, MODEL, 0)).status).toBe(201);
    expect((await api.predict(instances, MODEL)).status).toBe(200);
    expect(await (await api.get(`/v1/models/${MODEL}`)).json()).toMatchObject({ served: { source: 'registry', version: 1 } });
  });

  it('loses no version when uploads of one name race, and numbers them 1…n', async () => {
    const api = registryApp();
    const name = freshName();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => publish(api, name, i % 2)));
    expect(answers.map((response) => response.status)).toEqual(Array(6).fill(201));
    const numbers = await Promise.all(answers.map(async (response) => ((await response.json()) as { version: number }).version));
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const details = (await (await api.get(`/v1/models/${name}`)).json()) as { versions: { version: number }[] };
    expect(details.versions.map((record) => record.version)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const version of numbers) expect((await pinned(api, name, version)).status).toBe(200);
  });
});

describe('an image model in the registry', () => {
  it('transforms with a pinned version as with the active one, and 404s a version it does not have', async () => {
    const api = registryApp();
    const name = freshName();
    const { manifest, weights } = defaultModels.features;
    const upload = form(manifest, new Uint8Array(weights));
    expect((await api.get(`/v1/models/${name}`, { method: 'PUT', headers: auth(), body: upload })).status).toBe(201);
    const png = Uint8Array.from(atob(SAMPLE_PNG), (c) => c.charCodeAt(0));
    const send = (path: string) => api.get(path, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    const [active, pinnedOne, builtIn] = await Promise.all([
      send(`/v1/models/${name}/transform?format=json`),
      send(`/v1/models/${name}/versions/1/transform?format=json`),
      send('/v1/models/features/transform?format=json'),
    ]);
    const outputs = await Promise.all(
      [active, pinnedOne, builtIn].map(async (response) => {
        expect(response.status).toBe(200);
        return (await response.json()) as { model: string; output: unknown };
      }),
    );
    expect(outputs[0]).toEqual({ model: name, output: { shape: [1, 4, 1, 1], data: expect.any(Array) } });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0].output).toEqual(outputs[2].output); // the same bundle as the built-in features model
    await expectError(await send(`/v1/models/${name}/versions/2/transform`), 404, 'version_not_found');
  });
});

describe('a refused upload stores nothing and leaves the active version serving', () => {
  const corrupt = () => {
    const weights = weightsOf(0);
    weights[weights.length - 1] ^= 0xff;
    return form(versions[0].manifest, weights);
  };
  const truncated = () => form(versions[0].manifest, weightsOf(0).slice(0, 100));
  const unknownOp = () => {
    const manifest = structuredClone(versions[1].manifest) as { graph: { nodes: { op: string }[] } };
    manifest.graph.nodes[0].op = 'teleport';
    return form(manifest, weightsOf(1));
  };
  const notJson = () => {
    const body = form({}, weightsOf(0));
    body.set('model.json', new Blob(['{"format": ']), 'model.json');
    return body;
  };
  const missingWeights = () => {
    const body = form(versions[0].manifest, weightsOf(0));
    body.delete('model.safetensors');
    return body;
  };

  it.each([
    ['weights that fail their digest', corrupt, 422, 'invalid_bundle', /SHA-256/],
    ['truncated weights', truncated, 422, 'invalid_bundle', /truncated/],
    ['a graph with an unknown op', unknownOp, 422, 'invalid_bundle', /teleport/],
    ['a model.json that is not JSON', notJson, 422, 'invalid_bundle', /not valid JSON/],
    ['no weights part', missingWeights, 422, 'invalid_upload', /model\.json and model\.safetensors/],
  ])('%s: %i %s', async (_, body, status, code, message) => {
    const api = registryApp();
    const name = freshName();
    await publish(api, name, 0);
    const error = await expectError(await publish(api, name, 1, '', body()), status, code);
    expect(error.message).toMatch(message);
    const details = (await (await api.get(`/v1/models/${name}`)).json()) as { versions: unknown[] };
    expect(details.versions).toHaveLength(1);
    await expectVersion(await api.predict(instances, name), 0);
  });

  it('answers 413 for an upload over the limit and 415 for a body that is not multipart', async () => {
    const name = freshName();
    const small = registryApp({ maxUploadBytes: 1000 });
    const error = await expectError(await publish(small, name, 0), 413, 'payload_too_large');
    expect(error.details).toEqual({ limit_bytes: 1000 });
    const api = registryApp();
    const json = await api.get(`/v1/models/${name}`, { method: 'PUT', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{}' });
    await expectError(json, 415, 'unsupported_media_type');
    await expectError(await api.get(`/v1/models/${name}`), 404, 'model_not_found');
  });
});

describe('auth on the write routes', () => {
  const writes = (name: string): [string, RequestInit][] => [
    [`/v1/models/${name}`, { method: 'PUT', body: form(versions[0].manifest, weightsOf(0)) }],
    [`/v1/models/${name}/versions/1/activate`, { method: 'POST' }],
    [`/v1/models/${name}/versions/1`, { method: 'DELETE' }],
  ];

  it('answers 403 registry_read_only, saying how to enable publishing, while no admin token is configured', async () => {
    for (const [path, init] of writes(freshName())) {
      const error = await expectError(await SELF.fetch(`http://edgeml.test${path}`, init), 403, 'registry_read_only');
      expect(error.message).toMatch(/EDGEML_ADMIN_TOKEN/);
    }
  });

  it('answers 401 without the admin token, with a wrong one, and with the read token', async () => {
    const api = registryApp({}, { EDGEML_API_TOKEN: 'reader' });
    for (const headers of [{}, auth('wrong'), auth('reader')]) {
      for (const [path, init] of writes(freshName())) {
        await expectError(await api.get(path, { ...init, headers }), 401, 'unauthorized');
      }
    }
  });

  it('lets the admin token read, and the read token read only', async () => {
    const api = registryApp({}, { EDGEML_API_TOKEN: 'reader' });
    const name = freshName();
    expect((await publish(api, name, 0)).status).toBe(201);
    const read = (token: string) => api.post(`/v1/models/${name}/predict`, { instances }, auth(token));
    await expectVersion(await read('reader'), 0);
    await expectVersion(await read(ADMIN), 0);
  });
});

describe('serving published versions', () => {
  it('keeps built versions within the cache budget, freeing the evicted one, and rebuilds it on its next use', async () => {
    const api = registryApp({ registry: { cacheBytes: weightsOf(0).length + weightsOf(1).length - 1 } });
    const name = freshName();
    await publish(api, name, 0);
    await publish(api, name, 1);
    await expectVersion(await pinned(api, name, 1), 0);
    const oneBuilt = await api.tensors();
    await expectVersion(await pinned(api, name, 2), 1); // evicts version 1
    await expectVersion(await pinned(api, name, 1), 0); // evicts version 2, rebuilds version 1
    expect(await api.tensors()).toBe(oneBuilt);
  });

  it('shows an activation made through another isolate within indexTtlMs, and not before', async () => {
    const ttl = 200;
    const name = freshName();
    const writer = registryApp();
    const reader = registryApp({ registry: { indexTtlMs: ttl } });
    await publish(writer, name, 0);
    await publish(writer, name, 1, '?activate=false');
    await expectVersion(await reader.predict(instances, name), 0);
    const activated = Date.now();
    await activate(writer, name, 2);
    await expectVersion(await writer.predict(instances, name), 1); // the isolate that activated: at once
    if (Date.now() - activated < ttl) await expectVersion(await reader.predict(instances, name), 0);
    await new Promise((resolve) => setTimeout(resolve, ttl + 50));
    await expectVersion(await reader.predict(instances, name), 1);
  });

  it('keeps serving what it last read while R2 fails, and answers 503 registry_unavailable when it has nothing', async () => {
    const name = freshName();
    await publish(registryApp(), name, 0);
    const failing = failingBucket();
    const warm = registryApp({ registry: { indexTtlMs: 0 } }, { MODELS: failing.bucket });
    await expectVersion(await warm.predict(instances, name), 0);
    failing.fail(true);
    await expectVersion(await warm.predict(instances, name), 0);
    const cold = registryApp({}, { MODELS: failing.bucket });
    const response = await cold.predict(instances, name);
    expect(response.headers.get('Retry-After')).toBe('1');
    const error = await expectError(response, 503, 'registry_unavailable');
    expect(error.message).toMatch(/injected R2 failure/);
    const upload = await publish(cold, name, 1);
    await expectError(upload, 503, 'registry_unavailable');
    failing.fail(false);
    expect(await (await cold.get(`/v1/models/${name}`)).json()).toMatchObject({ versions: [{ version: 1 }] });
  });
});

/** The test bucket, with every operation throwing while `fail(true)`. */
function failingBucket() {
  let failing = false;
  const view = new Proxy(bucket, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (failing) return Promise.reject(new Error('injected R2 failure'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { bucket: view, fail: (on: boolean) => (failing = on) };
}

/** A bucket view whose keys live under a prefix of their own, so a test can publish a built-in model's name. */
async function emptyBucketView(): Promise<R2Bucket> {
  const prefix = `${freshName()}/`;
  const key = (name: string) => prefix + name;
  return {
    get: (name: string) => bucket.get(key(name)),
    put: (name: string, value: unknown, options?: R2PutOptions) => bucket.put(key(name), value as ArrayBuffer, options),
    delete: (names: string | string[]) => bucket.delete(Array.isArray(names) ? names.map(key) : key(names)),
    list: async (options?: R2ListOptions) => {
      const page = await bucket.list({ ...options, prefix: prefix + (options?.prefix ?? '') });
      return { ...page, delimitedPrefixes: page.delimitedPrefixes.map((p) => p.slice(prefix.length)) };
    },
  } as unknown as R2Bucket;
}
