import { readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Bundle, fromBytes, sha256Hex } from '../../../sdk/bundle/bundle';
import type { ManifestV1 } from '../../../sdk/bundle/format';
import { load } from '../../../sdk/bundle/load';
import { save } from '../../../sdk/bundle/save';
import { decodeSafetensors, encodeSafetensors } from '../../../sdk/bundle/safetensors';
import { BundleError, InputError } from '../../../sdk/errors';
import { Linear } from '../../../sdk/nn/linear';
import { ReLU } from '../../../sdk/nn/activation';
import { Sequential } from '../../../sdk/nn/sequential';
import { argmaxRows } from '../../../sdk/inference/scores';
import { defaultGenerator, Generator, manualSeed } from '../../../sdk/random';
import { torchFixture } from '../../helpers/fixtures';
import { FEATURES, LABELS, ROWS, sampleModel, sampleScaler, tempDir, withWeights } from './sample';

let root: string;
let dir: string;
let manifest: ManifestV1;
let weights: Uint8Array;

beforeAll(async () => {
  await ready();
  root = await tempDir();
  dir = path.join(root, 'phone-price');
  const model = sampleModel();
  const metrics = { accuracy: 0.9 };
  manifest = (await save(dir, { model, features: FEATURES, labels: LABELS, scaler: sampleScaler(), metrics })) as ManifestV1;
  model.dispose();
  weights = new Uint8Array(await readFile(path.join(dir, 'model.safetensors')));
});

afterAll(() => rm(root, { recursive: true, force: true }));

/** Runs `action`, which must fail with a BundleError containing `fragment`, and checks it left no tensor behind. */
async function expectLoadError(action: () => Promise<unknown>, fragment: string | RegExp): Promise<BundleError> {
  const before = tf.memory().numTensors;
  const error = await action().then(
    () => expect.unreachable('the load should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).message).toMatch(fragment);
  expect(tf.memory().numTensors).toBe(before);
  return error as BundleError;
}

function expectInputError(bundle: Bundle, instances: unknown[], details: InputError['details'], fragment: string) {
  let error: unknown;
  try {
    bundle.predict(instances);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).message).toContain(fragment);
  expect((error as InputError).details).toEqual(details);
}

describe('bundle save → load', () => {
  it('gives the same predictions and the same state dict as the model that was saved', async () => {
    const original = sampleModel();
    const expected = new Bundle(manifest, original).predictRows(ROWS);
    const bundle = await load(dir);
    expect(bundle.predictRows(ROWS)).toEqual(expected);
    expect(bundle.model.training).toBe(false);
    const saved = original.stateDict();
    const loaded = bundle.model.stateDict();
    expect(Object.keys(loaded)).toEqual(Object.keys(saved));
    for (const key of Object.keys(saved)) {
      expect(loaded[key].dtype, key).toBe(saved[key].dtype);
      expect(Array.from(loaded[key].dataSync()), key).toEqual(Array.from(saved[key].dataSync()));
    }
    expect(loaded['1.num_batches_tracked'].dataSync()[0]).toBe(1);
    bundle.dispose();
    original.dispose();
  });

  it('writes a manifest that describes the files next to it', async () => {
    const text = await readFile(path.join(dir, 'model.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
    expect(manifest).toMatchObject({
      format: 'edgeml.bundle',
      version: 1,
      name: 'phone-price',
      task: 'tabular-classification',
      architecture: { type: 'Sequential' },
      preprocess: { features: FEATURES, scaler: sampleScaler().toJSON() },
      labels: LABELS,
      weights: { file: 'model.safetensors', sha256: await sha256Hex(weights), bytes: weights.length },
      metrics: { accuracy: 0.9 },
      training: { config: {} },
    });
    expect(Date.parse(manifest.created)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('names the classes "0".."C-1" when no labels are given', async () => {
    const model = sampleModel();
    const saved = (await save(path.join(root, 'unlabelled'), { model, features: FEATURES })) as ManifestV1;
    expect(saved.labels).toEqual(['0', '1', '2']);
    expect(saved.preprocess.scaler).toBeNull();
    model.dispose();
  });

  it('serves a state dict written by PyTorch', async () => {
    const fixture = torchFixture('mlp.json');
    const torchWeights = new Uint8Array(readFileSync(new URL('../../fixtures/torch/mlp.safetensors', import.meta.url)));
    const mlp = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 256), new ReLU(), new Linear(256, 4));
    const architecture = mlp.spec();
    mlp.dispose();
    const features = Array.from({ length: 20 }, (_, i) => `x${i}`);
    const preprocess = { features, scaler: null };
    const labels = ['a', 'b', 'c', 'd'];
    const torchManifest = await withWeights({ ...manifest, architecture, preprocess, labels }, torchWeights);
    const bundle = await fromBytes(torchManifest, torchWeights.buffer);
    const predictions = bundle.predictRows(new Float32Array(fixture.input.data));
    expect(predictions.map((p) => p.class)).toEqual(Array.from(argmaxRows(new Float32Array(fixture.output.data), 4)));
    bundle.dispose();
  });
});

describe('fromBytes', () => {
  it('leaves the global generator where it was: the weights it loads need no random init first', async () => {
    manualSeed(11);
    (await fromBytes(manifest, weights)).dispose();
    expect(defaultGenerator().next()).toBe(new Generator(11).next());
  });

  it('gives a model ready to serve: the first prediction makes no tensor the model keeps', async () => {
    const bundle = await fromBytes(manifest, weights);
    const before = tf.memory().numTensors;
    bundle.predictRows(ROWS);
    expect(tf.memory().numTensors).toBe(before);
    bundle.dispose();
  });
});

describe('bundle loading rejects', () => {
  it('weights with one byte flipped, naming both digests', async () => {
    const flipped = await tempDir();
    const copy = path.join(flipped, 'bundle');
    const model = sampleModel();
    await save(copy, { model, features: FEATURES, labels: LABELS });
    model.dispose();
    const file = path.join(copy, 'model.safetensors');
    const bytes = await readFile(file);
    bytes[bytes.length - 5] ^= 0x01;
    await writeFile(file, bytes);
    const error = await expectLoadError(
      () => load(copy),
      new RegExp(
        'model\\.safetensors has SHA-256 [0-9a-f]{64} but the manifest expects [0-9a-f]{64}; ' +
          'the weights file is corrupt or does not belong to this manifest',
      ),
    );
    expect(error.message).toContain(`bundle ${copy}:`);
    await rm(flipped, { recursive: true });
  });

  it('truncated weights, by their length', async () => {
    await expectLoadError(
      () => fromBytes(manifest, weights.subarray(0, weights.length - 10)),
      `model.safetensors is ${weights.length - 10} bytes but the manifest expects ${weights.length}; ` +
        'the weights file is truncated',
    );
  });

  it('truncated weights whose digest was fixed up, by the tensor they cut off', async () => {
    const cut = weights.subarray(0, weights.length - 10);
    const fixedUp = await withWeights(manifest, cut);
    await expectLoadError(() => fromBytes(fixedUp, cut), 'tensor "4.weight": data_offsets');
  });

  describe('a state dict that does not fit the architecture', () => {
    const edited = async (edit: (state: Record<string, tf.Tensor>) => void) => {
      const state = decodeSafetensors(weights);
      edit(state);
      const bytes = encodeSafetensors(state);
      tf.dispose(Object.values(state));
      return { manifest: await withWeights(manifest, bytes), bytes };
    };

    it('a missing tensor', async () => {
      const broken = await edited((state) => {
        state['4.bias'].dispose();
        delete state['4.bias'];
      });
      await expectLoadError(
        () => fromBytes(broken.manifest, broken.bytes),
        'model.safetensors does not fit the architecture: state dict does not match the model: missing keys 4.bias',
      );
    });

    it('an unexpected tensor', async () => {
      const broken = await edited((state) => {
        state['5.weight'] = tf.zeros([2]);
      });
      await expectLoadError(() => fromBytes(broken.manifest, broken.bytes), 'unexpected keys 5.weight');
    });

    it('a tensor of the wrong shape', async () => {
      const broken = await edited((state) => {
        state['4.weight'].dispose();
        state['4.weight'] = tf.zeros([3, 7]);
      });
      await expectLoadError(
        () => fromBytes(broken.manifest, broken.bytes),
        'entry 4.weight has shape [3,7], the model needs [3,8]',
      );
    });
  });

  it('a newer format version, saying to upgrade', async () => {
    await expectLoadError(
      () => fromBytes({ ...manifest, version: 3 }, weights),
      'this bundle is format version 3; this edgeml reads versions 1 to 2 — upgrade edgeml',
    );
  });

  it('a manifest of another format', async () => {
    await expectLoadError(
      () => fromBytes({ ...manifest, format: 'onnx' }, weights),
      'not an edgeml bundle manifest: "format" is "onnx", expected "edgeml.bundle"',
    );
  });

  it('an architecture with an unknown module type, naming it', async () => {
    await expectLoadError(
      () => fromBytes({ ...manifest, architecture: { type: 'Transformer', layers: 12 } }, weights),
      'manifest architecture cannot be built: unknown module type "Transformer"',
    );
  });

  it('an unknown module type inside a Sequential', async () => {
    const layers = [...(manifest.architecture.layers as object[]), { type: 'Softmax2000' }];
    const architecture = { type: 'Sequential', layers };
    await expectLoadError(() => fromBytes({ ...manifest, architecture }, weights), 'unknown module type "Softmax2000"');
  });

  it('a scaler that does not match the features', async () => {
    const scaler = { mean: [1, 2], std: [1, 1] };
    await expectLoadError(
      () => fromBytes({ ...manifest, preprocess: { ...manifest.preprocess, scaler } }, weights),
      'manifest field "preprocess.scaler.mean" must be a list of 3 numbers, one per feature in preprocess.features, ' +
        'got [1,2]',
    );
  });

  it('more labels than the model has outputs', async () => {
    await expectLoadError(
      () => fromBytes({ ...manifest, labels: [...LABELS, 'flagship'] }, weights),
      'the model gives 3 scores per row but the manifest lists 4 labels',
    );
  });

  it('features the model cannot take', async () => {
    const preprocess = { features: [...FEATURES, 'talk_time'], scaler: null };
    await expectLoadError(
      () => fromBytes({ ...manifest, preprocess }, weights),
      'the model cannot take rows of 4 features: Linear expects 3 input features',
    );
  });

  it('a missing folder, a missing manifest, and a manifest that is not JSON', async () => {
    const empty = await tempDir();
    await expectLoadError(() => load(path.join(empty, 'nope')), 'the folder does not exist');
    await expectLoadError(() => load(empty), 'the folder has no model.json');
    await writeFile(path.join(empty, 'model.json'), '{"format": "edgeml.bundle",');
    await expectLoadError(() => load(empty), 'model.json is not valid JSON');
    await writeFile(path.join(empty, 'model.json'), JSON.stringify(manifest));
    await expectLoadError(() => load(empty), 'the folder has no model.safetensors');
    const outside = { ...manifest, weights: { ...manifest.weights, file: '../model.safetensors' } };
    await writeFile(path.join(empty, 'model.json'), JSON.stringify(outside));
    await expectLoadError(() => load(empty), 'manifest field "weights.file" must be a plain file name');
    await rm(empty, { recursive: true });
  });
});

describe('Bundle.predict', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await fromBytes(manifest, weights);
  });
  afterAll(() => bundle.dispose());

  it('takes arrays in feature order or objects keyed by feature name, alike', () => {
    const rows = [Array.from(ROWS.subarray(0, 3)), Array.from(ROWS.subarray(3, 6))];
    const objects = rows.map((row) => Object.fromEntries(FEATURES.map((name, i) => [name, row[i]]).reverse()));
    const predictions = bundle.predict(rows);
    expect(bundle.predict(objects)).toEqual(predictions);
    expect(predictions).toEqual(bundle.predictRows(ROWS.subarray(0, 6)));
    for (const { class: winner, label, probabilities } of predictions) {
      expect(label).toBe(LABELS[winner]);
      expect(probabilities).toHaveLength(3);
      expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(Math.max(...probabilities)).toBe(probabilities[winner]);
    }
    expect(bundle.predict([])).toEqual([]);
  });

  const proto = JSON.parse('[{"battery_power":1,"ram":2,"px_width":3,"__proto__":4}]');
  const constructorKey = JSON.parse('[{"battery_power":1,"ram":2,"constructor":3}]');
  const inherited = Object.assign(Object.create({ px_width: 3 }), { battery_power: 1, ram: 2 });
  const cases: [string, unknown[], { index: number; field?: string | number }, string][] = [
    ['too few values', [[1, 2]], { index: 0, field: 2 }, 'instance 0: expected 3 values (battery_power, ram, px'],
    ['too many values', [[1, 2, 3], [1, 2, 3, 4]], { index: 1, field: 3 }, 'instance 1: expected 3 values'],
    ['a missing feature', [{ battery_power: 1, ram: 2 }], { index: 0, field: 'px_width' }, '"px_width" is missing'],
    [
      'an unknown feature',
      [{ battery_power: 1, ram: 2, px_width: 3, cores: 4 }],
      { index: 0, field: 'cores' },
      'unknown feature "cores"; the features are battery_power, ram, px_width',
    ],
    [
      'a string',
      [[1, 2, 3], { battery_power: 1, ram: 'abc', px_width: 3 }],
      { index: 1, field: 'ram' },
      'instance 1: feature "ram" must be a finite number, got "abc"',
    ],
    ['a numeric string', [[1, '2', 3]], { index: 0, field: 1 }, 'value 1 (ram) must be a finite number, got "2"'],
    ['NaN', [[1, NaN, 3]], { index: 0, field: 1 }, 'must be a finite number, got NaN'],
    ['Infinity', [[1, 2, -Infinity]], { index: 0, field: 2 }, 'must be a finite number, got -Infinity'],
    ['a number beyond float32', [[1e39, 2, 3]], { index: 0, field: 0 }, 'within float32 range (±3.4e38), got 1e+39'],
    ['null', [[1, null, 3]], { index: 0, field: 1 }, 'must be a finite number, got null'],
    ['a __proto__ key', proto, { index: 0, field: '__proto__' }, 'unknown feature "__proto__"'],
    ['a constructor key', constructorKey, { index: 0, field: 'constructor' }, 'unknown feature "constructor"'],
    ['a feature only inherited', [inherited], { index: 0, field: 'px_width' }, 'feature "px_width" is missing'],
    [
      'an instance that is neither',
      [[1, 2, 3], 'phone'],
      { index: 1 },
      'instance 1 must be a list of 3 numbers or an object keyed by feature name, got "phone"',
    ],
  ];
  it.each(cases)('rejects %s with an InputError naming instance and field', (_, instances, details, fragment) => {
    expectInputError(bundle, instances, details, fragment);
  });

  it('refuses to classify with a bundle that is not a tabular classifier', () => {
    const model = sampleModel();
    const preprocess = { features: [], scaler: null, channels: 1 };
    const image = new Bundle({ ...manifest, name: 'edges', task: 'image-transform', preprocess, labels: [] }, model);
    expect(() => image.predict([[1]])).toThrow('model "edges" is an image-transform bundle');
    image.dispose();
  });

  it('rejects instances that are not a list', () => {
    expect(() => bundle.predict({ instances: [] } as unknown as unknown[])).toThrow(InputError);
  });

  it('rejects raw rows that are not whole rows or hold a non-finite value', () => {
    expect(() => bundle.predictRows(new Float32Array(4))).toThrow('got 4 values, not a whole number of rows');
    const rows = new Float32Array(6);
    rows[4] = NaN;
    expect(() => bundle.predictRows(rows)).toThrow(InputError);
    try {
      bundle.predictRows(rows);
    } catch (error) {
      expect((error as InputError).details).toEqual({ index: 1, field: 1 });
    }
  });

  it('leaks no tensors across 100 predictions', () => {
    bundle.predictRows(ROWS);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) bundle.predict([[842, 2549, 756]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees every tensor of its model on dispose', async () => {
    const before = tf.memory().numTensors;
    const other = await fromBytes(manifest, weights);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
