/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Bundles that cannot be served: a bad manifest fails createApp; bad weights fail that model's requests with 503
// model_unavailable, every time, without leaving tensors behind or affecting the other models.
import { describe, expect, it } from 'vitest';
import { createApp, type ModelSource } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, MODEL, viaApp } from './helpers';

const good = defaultModels[MODEL];

function withManifest(change: (manifest: any) => void): ModelSource {
  const manifest = structuredClone(good.manifest);
  change(manifest);
  return { manifest, weights: good.weights };
}

function withFlippedByte(): ModelSource {
  const weights = new Uint8Array(good.weights).slice();
  weights[weights.length - 1] ^= 0xff;
  return { manifest: good.manifest, weights };
}

/** Weights that match the manifest's digest, for an architecture they do not fit (one more output and label). */
function widerHead(): ModelSource {
  return withManifest((manifest) => {
    manifest.architecture.layers.at(-1).outFeatures += 1;
    manifest.labels.push('extra');
  });
}

describe('a model whose weights do not load', () => {
  it.each([
    ['weights that fail their SHA-256', withFlippedByte()],
    ['weights of the wrong shapes for the architecture', widerHead()],
  ])('answers 503 model_unavailable for %s, on every request, leaking no tensors', async (_, broken) => {
    const api = client(viaApp(createApp({ models: { broken, [MODEL]: good } })));
    const row = (await api.features()).map(() => 1);
    expect((await api.predict([row])).status).toBe(200);
    const before = await api.tensors();
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await expectError(await api.predict([row], 'broken'), 503, 'model_unavailable');
      expect(error.message).toMatch(/^model "broken" cannot be loaded: /);
      expect(error.details).toMatchObject({ model: 'broken' });
    }
    expect(await api.tensors()).toBe(before);
    expect((await api.predict([row])).status).toBe(200);
    expect((await api.get('/v1/models/broken')).status).toBe(200); // its manifest is still valid
  });
});

describe('createApp', () => {
  it('throws a BundleError naming the model and the field for an invalid manifest', () => {
    const broken = withManifest((manifest) => delete manifest.preprocess);
    expect(() => createApp({ models: { broken } })).toThrow(/^model "broken": manifest field "preprocess"/);
  });

  it('rejects model names that do not fit in a URL path segment', () => {
    expect(() => createApp({ models: { 'a/b': good } })).toThrow(/model name "a\/b"/);
  });
});
