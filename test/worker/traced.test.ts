/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Traced (version-2) bundles served inside workerd: models written as nn.Module subclasses, exported in memory
// with the SDK, served by createApp, and answered as the SDK answers. Routes follow each manifest's input.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBytes } from '../../sdk/bundle/bundle';
import { exportBundle } from '../../sdk/bundle/export';
import { imageToInput } from '../../sdk/bundle/image-input';
import type { ImageInput } from '../../sdk/bundle/input';
import { encodePng } from '../../sdk/image/codec';
import { tensorClassScores } from '../../sdk/inference/scores';
import { createApp, type ModelSources } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { startBackend } from '../../worker/wasm';
import { images, PhonePriceModel, rows, SmallCnn } from '../sdk/graph/models';
import { client, expectError, type Fetcher, viaApp } from './helpers';

const FEATURES = ['a', 'b', 'c', 'd', 'e'];
let api: ReturnType<typeof client>;
let send: Fetcher;
let sources: ModelSources;
let phone: PhonePriceModel;
let cnn: SmallCnn;

beforeAll(async () => {
  await startBackend();
  phone = new PhonePriceModel(5, 3);
  cnn = new SmallCnn();
  const tabular = await exportBundle({ name: 'phone', model: phone, example: rows(1, 5), features: FEATURES });
  const image = await exportBundle({ name: 'cnn', model: cnn, example: images(1), labels: ['x', 'y', 'z'] });
  sources = { phone: tabular, cnn: image, 'phone-price': defaultModels['phone-price'] };
  send = viaApp(createApp({ models: sources }));
  api = client(send);
});

/** POSTs image bytes as they are (the JSON client would encode them). */
const postImage = (path: string, png: Uint8Array) =>
  send(path, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png as Uint8Array<ArrayBuffer> });

/** What the SDK answers for the same bundle, loaded from the same bytes. */
async function sdkPredict(name: string, instances: unknown[]) {
  const bundle = await fromBytes(sources[name].manifest, sources[name].weights);
  try {
    return bundle.predict(instances);
  } finally {
    bundle.dispose();
  }
}

describe('a traced tabular bundle (a PhonePriceModel subclass)', () => {
  it('answers predict as the SDK does, and as the live model', async () => {
    const instances = (rows(4, 5, 3).arraySync() as number[][]).map((row) => row.map((v) => v * 10));
    const response = await api.predict(instances, 'phone');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; predictions: { probabilities: number[] }[] };
    expect(body).toEqual({ model: 'phone', predictions: await sdkPredict('phone', instances) });
    const expected = tensorClassScores(phone, tf.tensor2d(instances));
    expect(body.predictions.flatMap((p) => p.probabilities)).toEqual(Array.from(expected.probabilities));
  });

  it('refuses an image body with 415', async () => {
    const png = encodePng({ width: 8, height: 8, channels: 1, data: new Uint8Array(64) });
    await expectError(await postImage('/v1/models/phone/predict', png), 415, 'unsupported_media_type');
  });
});

describe('a traced image classifier (a CNN subclass)', () => {
  it('answers JSON instances ([C][H][W] arrays) as the SDK does', async () => {
    const instances = images(3, 21).arraySync();
    const response = await api.predict(instances, 'cnn');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: { label: string; probabilities: number[] }[] };
    expect(body).toEqual({ model: 'cnn', predictions: await sdkPredict('cnn', instances) });
    expect(body.predictions[0].probabilities).toEqual(Array.from(tensorClassScores(cnn, images(3, 21)).probabilities.subarray(0, 3)));
    expect(['x', 'y', 'z']).toContain(body.predictions[0].label);
  });

  it('answers 422 naming the instance and the expected shape for a wrong-size instance', async () => {
    const [good] = images(1).arraySync();
    const error = await expectError(await api.predict([good, [good[0].slice(1)]], 'cnn'), 422, 'invalid_input');
    expect(error.message).toBe('instance 1: expected a 1×8×8 array (channels × height × width); [0] should be a list of 8, got a list of 7');
    expect(error.details).toMatchObject({ index: 1, field: '[0]', expected: [1, 8, 8] });
  });

  it('answers an image body as the SDK does for the same bytes', async () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
    const png = encodePng({ width: 8, height: 8, channels: 1, data });
    const response = await postImage('/v1/models/cnn/predict', png);
    expect(response.status).toBe(200);
    const bundle = await fromBytes(sources.cnn.manifest, sources.cnn.weights);
    const expected = bundle.predictImages(imageToInput(png, bundle.input as ImageInput), true);
    bundle.dispose();
    expect(await response.json()).toEqual({ model: 'cnn', predictions: expected });
    const wrongSize = encodePng({ width: 9, height: 8, channels: 1, data: new Uint8Array(72) });
    const error = await expectError(await postImage('/v1/models/cnn/predict', wrongSize), 422, 'invalid_input');
    expect(error.message).toBe('the model takes 8×8 images, got 9×8');
  });

  it('transforms an image into its first layer\'s feature maps', async () => {
    const png = encodePng({ width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(200) });
    const response = await postImage('/v1/models/cnn/transform?format=json', png);
    expect(response.status).toBe(200);
    const { output } = (await response.json()) as { output: { shape: number[]; data: number[] } };
    expect(output.shape).toEqual([1, 4, 8, 8]);
    const bundle = await fromBytes(sources.cnn.manifest, sources.cnn.weights);
    const maps = bundle.transform(tf.expandDims(imageToInput(png, bundle.input as ImageInput), 0));
    expect(output.data).toEqual(Array.from(maps.dataSync()));
    maps.dispose();
    bundle.dispose();
  });

  it('is listed with its input kind, and its manifest carries the graph', async () => {
    const { models } = (await (await api.get('/v1/models')).json()) as { models: { name: string; input: string; task: string }[] };
    expect(models.map(({ name, input, task }) => [name, input, task])).toEqual([
      ['phone', 'tabular', 'tabular-classification'],
      ['cnn', 'image', 'image-classification'],
      ['phone-price', 'tabular', 'tabular-classification'],
    ]);
    const manifest = (await (await api.get('/v1/models/cnn')).json()) as { version: number; graph: { opset: number } };
    expect(manifest).toMatchObject({ version: 2, graph: { opset: 1 } });
  });

  it('answers 503 model_unavailable for a graph with an unknown op, leaving the other models served', async () => {
    const manifest = structuredClone(sources.cnn.manifest) as { graph: { nodes: { op: string }[] } };
    manifest.graph.nodes[0].op = 'conv3d';
    const broken = client(viaApp(createApp({ models: { broken: { manifest, weights: sources.cnn.weights }, cnn: sources.cnn } })));
    const error = await expectError(await broken.predict(images(1).arraySync(), 'broken'), 503, 'model_unavailable');
    expect(error.message).toMatch(/graph node 0 \(conv3d, from module "conv"\): unknown op "conv3d"/);
    expect((await broken.predict(images(1).arraySync(), 'cnn')).status).toBe(200);
  });
});
