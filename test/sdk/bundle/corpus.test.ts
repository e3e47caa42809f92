// The bundle cases of the bad-input corpus (test/fixtures/bad/cases.json) through bundle.fromBytes: each manifest
// (with the weights it names) loads, or fails with a BundleError holding the stated words, leaving no tensor behind.
// Cases too large to commit are generated here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes } from '../../../sdk/bundle/bundle';
import { BundleError } from '../../../sdk/errors';
import { repoRoot } from '../../helpers/fixtures';

type Generated = 'sequential-10000' | 'nested-metrics-100k' | 'features-100k' | 'safetensors-deep-header';

interface BundleCase {
  kind: 'bundle';
  name: string;
  manifest?: string;
  generate?: Generated;
  weights: string;
  expect: { loads: true } | { code: 'invalid_bundle'; message: string };
}

const corpus = path.join(repoRoot, 'test/fixtures/bad');
const read = (file: string) => new Uint8Array(readFileSync(path.join(corpus, file)));
const { cases } = JSON.parse(readFileSync(path.join(corpus, 'cases.json'), 'utf8')) as { cases: { kind: string }[] };
const bundleCases = cases.filter((c): c is BundleCase => c.kind === 'bundle');

beforeAll(ready);

/** Lists (or Sequentials) nested `depth` deep, built by string so that nothing here recurses either. */
const nestedList = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

function withDigest(manifest: Record<string, unknown>, weights: Uint8Array) {
  const sha256 = createHash('sha256').update(weights).digest('hex');
  return { ...manifest, weights: { file: 'model.safetensors', sha256, bytes: weights.length } };
}

/** A safetensors file whose single entry's dtype is a list nested `depth` deep. */
function deepHeaderWeights(depth: number): Uint8Array {
  const json = `{"0.weight":{"dtype":${'['.repeat(depth)}${']'.repeat(depth)},"shape":[],"data_offsets":[0,0]}}`;
  const bytes = new Uint8Array(8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  return bytes;
}

function generated(kind: Generated, base: Record<string, unknown>, weights: Uint8Array) {
  switch (kind) {
    case 'sequential-10000': {
      const json = `${'{"type":"Sequential","layers":['.repeat(10_000)}${']}'.repeat(10_000)}`;
      return { manifest: { ...base, architecture: JSON.parse(json) }, weights };
    }
    case 'nested-metrics-100k':
      return { manifest: { ...base, metrics: { deep: nestedList(100_000) } }, weights };
    case 'features-100k': {
      const features = Array.from({ length: 100_000 }, (_, i) => `f${i}`);
      const architecture = { type: 'Sequential', layers: [{ type: 'Linear', inFeatures: features.length, outFeatures: 2 }] };
      return { manifest: { ...base, architecture, preprocess: { features, scaler: null } }, weights };
    }
    case 'safetensors-deep-header': {
      const deep = deepHeaderWeights(100_000);
      return { manifest: withDigest(base, deep), weights: deep };
    }
  }
}

describe('the bad-input corpus through bundle.fromBytes', () => {
  it('has a case for every class of bad bundle the hardening issue names', () => {
    const names = bundleCases.map((c) => c.manifest ?? c.generate);
    expect(names).toEqual(
      expect.arrayContaining(['bundle-type-constructor.json', 'bundle-type-proto.json', 'bundle-linear-30000.json', 'sequential-10000']),
    );
  });

  it.each(bundleCases.map((c) => [c.name, c] as const))('%s', async (_, testCase) => {
    const base = JSON.parse(readFileSync(path.join(corpus, 'bundle-valid.json'), 'utf8'));
    const { manifest, weights } = testCase.generate
      ? generated(testCase.generate, base, read(testCase.weights))
      : { manifest: JSON.parse(readFileSync(path.join(corpus, testCase.manifest!), 'utf8')), weights: read(testCase.weights) };
    const before = tf.memory().numTensors;
    const outcome = await fromBytes(manifest, weights).then(
      (bundle) => bundle.dispose(),
      (error: unknown) => error,
    );
    expect(tf.memory().numTensors).toBe(before);
    if ('loads' in testCase.expect) {
      expect(outcome).toBeUndefined();
      return;
    }
    expect(outcome).toBeInstanceOf(BundleError);
    expect((outcome as BundleError).code).toBe(testCase.expect.code);
    expect((outcome as BundleError).message).toContain(testCase.expect.message);
  });
});
