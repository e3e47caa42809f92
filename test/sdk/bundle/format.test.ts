import { describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../../sdk/bundle/format';
import { BundleError } from '../../../sdk/errors';

const valid: Manifest = {
  format: 'edgeml.bundle',
  version: 1,
  name: 'phone-price',
  task: 'tabular-classification',
  architecture: { type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 2, outFeatures: 2, bias: true }] },
  preprocess: { features: ['ram', 'battery_power'], scaler: { mean: [2000, 1200], std: [1000, 400] } },
  labels: ['cheap', 'dear'],
  weights: { file: 'model.safetensors', sha256: 'ab'.repeat(32), bytes: 120 },
  metrics: { accuracy: 0.95 },
  training: {
    config: { epochs: 50 },
    seed: 88,
    data: { path: 'data/phone-price.csv', sha256: 'cd'.repeat(32), rows: 2000 },
  },
  created: '2025-06-01T12:00:00.000Z',
};

/** `valid` with the field at dotted `path` replaced by `value` (undefined deletes it). */
function withField(path: string, value: unknown): unknown {
  const copy = structuredClone(valid) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, copy);
  const last = keys[keys.length - 1];
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('parseManifest', () => {
  it('accepts a complete manifest and returns its fields, dropping unknown ones', () => {
    expect(parseManifest(valid)).toEqual(valid);
    expect(parseManifest({ ...valid, comment: 'hi' })).toEqual(valid);
  });

  it('accepts an image bundle without features, scaler or labels', () => {
    const image = {
      ...valid,
      task: 'image-transform',
      preprocess: { features: [], scaler: null, channels: 3 },
      labels: [],
      training: { config: {} },
    };
    expect(parseManifest(image)).toEqual(image);
  });

  it('tells a newer format version apart, saying to upgrade edgeml', () => {
    expect(() => parseManifest({ ...valid, version: 3 })).toThrow(
      'this bundle is format version 3; this edgeml reads versions 1 to 2 — upgrade edgeml',
    );
  });

  it('says when the file is not an edgeml manifest at all', () => {
    expect(() => parseManifest({ ...valid, format: 'onnx' })).toThrow(
      'not an edgeml bundle manifest: "format" is "onnx", expected "edgeml.bundle"',
    );
    expect(() => parseManifest([1, 2])).toThrow('manifest field "manifest" must be an object, got [1,2]');
  });

  it.each([
    ['version', 0, 'the number 1 or 2, got 0'],
    ['version', '1', 'the number 1 or 2, got "1"'],
    ['name', undefined, 'a non-empty string, got nothing (the field is missing)'],
    ['task', 'regression', 'one of "tabular-classification", "image-classification", "image-transform", got "regression"'],
    ['architecture', 'mlp', 'an object, got "mlp"'],
    ['architecture.type', 7, 'a non-empty string, got 7'],
    ['preprocess', null, 'an object, got null'],
    ['preprocess.features', [], 'a list of distinct non-empty strings (at least one), got []'],
    ['preprocess.features', ['ram', 'ram'], '[1]" must be a name not already listed (it repeats preprocess.features[0'],
    ['preprocess.features', ['ram', ''], '"preprocess.features[1]" must be a non-empty string, got ""'],
    ['preprocess.scaler', undefined, 'an object, got nothing'],
    ['preprocess.scaler.mean', [1], 'a list of 2 numbers, one per feature in preprocess.features, got [1]'],
    ['preprocess.scaler.std', [1, 0], '"preprocess.scaler.std[1]" must be a positive number (feature "battery_power")'],
    ['preprocess.scaler.mean', [1, null], '"preprocess.scaler.mean[1]" must be a finite number'],
    ['preprocess.channels', 0, 'a positive integer, got 0'],
    ['labels', [], 'a list of distinct non-empty strings (at least one), got []'],
    ['labels', ['a', 'a'], '"labels[1]" must be a name not already listed'],
    ['weights.file', 'weights/model.safetensors', 'a plain file name inside the bundle folder'],
    ['weights.file', '..', 'a plain file name inside the bundle folder'],
    ['weights.sha256', 'AB'.repeat(32), 'a SHA-256 digest (64 lowercase hex digits)'],
    ['weights.bytes', -1, 'a non-negative integer, got -1'],
    ['metrics', undefined, '"metrics" must be an object'],
    ['training.config', undefined, '"training.config" must be an object'],
    ['training.seed', 'eighty-eight', '"training.seed" must be a finite number'],
    ['training.data.rows', 1.5, '"training.data.rows" must be a non-negative integer, got 1.5'],
    ['created', 'yesterday', 'an ISO 8601 date-time such as "2025-01-31T12:00:00.000Z", got "yesterday"'],
    ['created', '2025-13-45T99:00:00Z', 'an ISO 8601 date-time'],
  ])('rejects %s = %j, naming the field and what it should be', (field, value, fragment) => {
    const parse = () => parseManifest(withField(field, value));
    expect(parse).toThrow(BundleError);
    expect(parse).toThrow(fragment);
    expect(parse).toThrow(`manifest field "${field}`);
  });
});
