import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes } from '../../../sdk/bundle/bundle';
import { exportBundle } from '../../../sdk/bundle/export';
import type { ManifestV2 } from '../../../sdk/bundle/format';
import { load } from '../../../sdk/bundle/load';
import { save } from '../../../sdk/bundle/save';
import { encodeSafetensors } from '../../../sdk/bundle/safetensors';
import { BundleError, InputError } from '../../../sdk/errors';
import { tensorClassScores } from '../../../sdk/inference/scores';
import type { Module } from '../../../sdk/nn/module';
import { images, PhonePriceModel, Residual, rows, SmallCnn } from '../graph/models';
import { sampleScaler, tempDir, withWeights } from './sample';

beforeAll(async () => {
  await ready();
});

/** `model`'s eval-mode output on `x`, as an array (the mode is restored). */
function live(model: Module, x: tf.Tensor): Float32Array {
  const training = model.training;
  model.eval();
  try {
    return tf.tidy(() => model.forward(x)).dataSync() as Float32Array;
  } finally {
    model.train(training);
  }
}

const FEATURES = ['battery_power', 'ram', 'px_width'];

describe('a traced bundle saved and loaded in Node', () => {
  it('gives a PhonePriceModel subclass the live model\'s outputs exactly, scaler applied', async () => {
    const model = new PhonePriceModel(3, 4);
    const scaler = sampleScaler();
    const dir = path.join(await tempDir(), 'phone');
    const manifest = (await save(dir, { model, example: rows(1, 3), features: FEATURES, scaler })) as ManifestV2;
    expect(manifest).toMatchObject({ version: 2, task: 'tabular-classification', labels: ['0', '1', '2', '3'] });
    expect(manifest.input).toEqual({ kind: 'tabular', features: FEATURES, scaler: scaler.toJSON() });
    const served = await load(dir);
    const raw = [[842, 2549, 756], [1021, 2631, 1988], [563, 2603, 1716], [1859, 769, 1212], [900, 1000, 500]];
    const scaled = tf.tensor2d(scaler.transformRows(Float32Array.from(raw.flat()), 3), [5, 3]);
    expect(tf.tidy(() => served.model.forward(scaled)).dataSync()).toEqual(live(model, scaled));
    const expected = tensorClassScores(model, scaled);
    const predictions = served.predict(raw);
    expect(predictions.map((p) => p.probabilities).flat()).toEqual(Array.from(expected.probabilities));
    expect(served.predict(raw.map((row) => Object.fromEntries(FEATURES.map((f, i) => [f, row[i]]))))).toEqual(predictions);
    served.dispose();
  });

  it('gives a CNN subclass (conv, batch norm, relu, pool, flatten, dropout, linear) identical outputs', async () => {
    const model = new SmallCnn();
    const dir = path.join(await tempDir(), 'cnn');
    const manifest = (await save(dir, { model, example: images(1), labels: ['a', 'b', 'c'] })) as ManifestV2;
    expect(manifest.task).toBe('image-classification');
    expect(manifest.input).toEqual({ kind: 'image', channels: 1, height: 8, width: 8, preprocessing: 'none' });
    const served = await load(dir);
    const x = images(5, 11);
    expect(tf.tidy(() => served.model.forward(x)).dataSync()).toEqual(live(model, x));
    const nested = x.arraySync() as number[][][][];
    const predictions = served.predict(nested);
    expect(predictions.map((p) => p.label)).toEqual(served.predictImages(x).map((p) => p.label));
    expect(predictions[0].probabilities).toEqual(Array.from(tensorClassScores(model, x).probabilities.subarray(0, 3)));
    // transform: the first layer's feature maps, conv → batch norm → relu, of the live model's layers.
    model.eval();
    const maps = tf.tidy(() => model.relu.forward(model.bn.forward(model.conv.forward(x))));
    expect(served.transform(x).shape).toEqual([5, 4, 8, 8]);
    expect(served.transform(x).dataSync()).toEqual(maps.dataSync());
    served.dispose();
  });

  it('gives a model with plain tfjs ops (add, mul, reshape, concat) identical outputs for any batch size', async () => {
    const model = new Residual();
    const image = { kind: 'image', channels: 1, height: 2, width: 3, preprocessing: 'none' } as const;
    await expect(exportBundle({ name: 'residual', model, example: rows(2, 6), task: 'image-transform', input: image })).rejects.toThrow(
      'manifest field "input" describes inputs of shape [N, 1, 2, 3], but the graph takes [N, 6]',
    );
    const exported = await exportBundle({ name: 'residual', model, example: rows(2, 6), features: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const served = await fromBytes(exported.manifest, exported.weights);
    for (const batch of [1, 7]) {
      const x = rows(batch, 6, batch);
      expect(tf.tidy(() => served.model.forward(x)).dataSync()).toEqual(live(model, x));
    }
    served.dispose();
  });

  it('stores float16 weights on request, widened on load', async () => {
    const model = new SmallCnn();
    const full = await exportBundle({ name: 'cnn', model, example: images(1) });
    const half = await exportBundle({ name: 'cnn', model, example: images(1), dtype: 'float16' });
    expect(half.weights.length).toBeLessThan(full.weights.length * 0.75);
    const served = await fromBytes(half.manifest, half.weights);
    const x = images(3);
    const got = tf.tidy(() => served.model.forward(x)).dataSync();
    live(model, x).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 2));
    served.dispose();
  });

  it('checks image instances against the manifest, naming the instance and the expected shape', async () => {
    const exported = await exportBundle({ name: 'cnn', model: new SmallCnn(), example: images(1) });
    const served = await fromBytes(exported.manifest, exported.weights);
    const good = images(1).arraySync()[0];
    const short = structuredClone(good);
    short[0][3].pop();
    expect(() => served.predict([good, short])).toThrow(
      'instance 1: expected a 1×8×8 array (channels × height × width); [0][3] should be a list of 8, got a list of 7',
    );
    const error = (() => {
      try {
        served.predict([good, good, [[[1]]]]);
      } catch (thrown) {
        return thrown as InputError;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error!.details).toMatchObject({ index: 2, field: '[0]', expected: [1, 8, 8] });
    expect(() => served.predict([[good[0].map((row) => row.map(() => 'x'))]])).toThrow(
      'instance 0: value [0][0][0] must be a finite number, got "x"',
    );
    const far = structuredClone(good);
    far[0][5][2] = 1e39;
    expect(() => served.predict([good, far])).toThrow('instance 1: value [0][5][2] must be a finite number within float32 range');
    expect(() => served.predictRows(new Float32Array(3))).toThrow(/does not classify rows/);
    served.dispose();
  });
});

describe('loading a traced bundle', () => {
  let exported: { manifest: ManifestV2; weights: Uint8Array };

  beforeAll(async () => {
    const { manifest, weights } = await exportBundle({ name: 'cnn', model: new SmallCnn(), example: images(1) });
    exported = { manifest: manifest as ManifestV2, weights };
  });

  /** fromBytes of the exported bundle with its graph changed; checks it fails before allocating anything. */
  async function rejected(change: (manifest: ManifestV2) => void, weights = exported.weights): Promise<BundleError> {
    const manifest = structuredClone(exported.manifest);
    change(manifest);
    const before = tf.memory().numTensors;
    const error = await fromBytes(await withWeights(manifest, weights), weights).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect(tf.memory().numTensors).toBe(before);
    return error as BundleError;
  }

  it('refuses an unknown op, naming it and the node', async () => {
    const error = await rejected((m) => (m.graph.nodes[2].op = 'gelu'));
    expect(error.message).toMatch(/^graph node 2 \(gelu, from module "relu"\): unknown op "gelu"; op set 1 has linear, conv2d/);
    expect(error.details).toMatchObject({ op: 'gelu', node: 2 });
  });

  it('refuses a missing tensor, naming it', async () => {
    const error = await rejected((m) => (m.graph.nodes[1].inputs[1] = 'bn.running_mu'));
    expect(error.message).toMatch(/graph node 1 \(batchNorm, from module "bn"\): input 1 is the tensor "bn.running_mu", which the weights file does not hold/);
  });

  it('refuses tensors of the wrong shape, before building anything', async () => {
    const model = new SmallCnn();
    const state = model.stateDict();
    const weights = encodeSafetensors({ ...state, 'fc.weight': tf.zeros([3, 63]) });
    const error = await rejected(() => {}, weights);
    expect(error.message).toMatch(/graph node 5 \(linear, from module "fc"\): linear: weight \[3,63\] takes 63 features, the input is \[2,64\]/);
    const conv = encodeSafetensors({ ...state, 'conv.weight': tf.zeros([4, 2, 3, 3]) });
    expect((await rejected(() => {}, conv)).message).toMatch(/graph node 0 \(conv2d.*expected input\[2, 1, 8, 8\] to have 2 channels/);
  });

  it('refuses a newer op set, saying to upgrade', async () => {
    const error = await rejected((m) => (m.graph.opset = 2));
    expect(error.message).toBe('the graph uses op set 2; this edgeml runs op sets up to 1 — upgrade edgeml');
  });

  it('refuses a graph whose output is not one score per label, and bad references', async () => {
    expect((await rejected((m) => m.labels.push('extra'))).message).toMatch(/gives outputs of shape \[N, 3\] but a classifier gives \[N, 4\]/);
    expect((await rejected((m) => (m.graph.nodes[0].inputs[0] = '#4'))).message).toMatch(/refers to node 4, which does not come before it/);
    expect((await rejected((m) => (m.input = { ...m.input, height: 9 } as never))).message).toMatch(/describes inputs of shape \[N, 1, 9, 8\], but the graph takes \[N, 1, 8, 8\]/);
  });

  it('keeps loading the version-1 bundles the Worker serves', async () => {
    for (const name of ['phone-price', 'features']) {
      const served = await load(path.join('worker/models', name));
      expect(served.manifest.version).toBe(1);
      served.dispose();
    }
    const json = JSON.parse(await readFile('worker/models/phone-price/model.json', 'utf8'));
    expect(json.version).toBe(1);
  });

  it('round-trips through model.json text', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(exported.manifest));
    await writeFile(path.join(dir, 'model.safetensors'), exported.weights);
    const served = await load(dir);
    expect(served.input).toEqual(exported.manifest.input);
    served.dispose();
  });
});
