import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { load } from '../../../sdk/bundle/load';
import { save } from '../../../sdk/bundle/save';
import { StandardScaler } from '../../../sdk/data/scaler';
import { BundleError } from '../../../sdk/errors';
import { FEATURES, LABELS, ROWS, sampleModel, sampleScaler, tempDir } from './sample';

let root: string;
let dir: string;

beforeAll(ready);

beforeEach(async () => {
  root = await tempDir();
  dir = path.join(root, 'phone-price');
});

afterEach(async () => {
  await chmod(root, 0o700);
  await rm(root, { recursive: true, force: true });
});

const bundleFiles = async (folder: string) => ({
  manifest: await readFile(path.join(folder, 'model.json')),
  weights: await readFile(path.join(folder, 'model.safetensors')),
});

/** Saves a first bundle, runs `failingSave` (which must reject), and checks the first bundle is untouched. */
async function expectPreviousBundleKept(failingSave: () => Promise<unknown>, fragment: string): Promise<void> {
  const model = sampleModel();
  await save(dir, { model, features: FEATURES, labels: LABELS });
  model.dispose();
  const before = await bundleFiles(dir);
  await expect(failingSave()).rejects.toThrow(fragment);
  expect(await bundleFiles(dir)).toEqual(before);
  expect(await readdir(root)).toEqual(['phone-price']);
}

describe('bundle.save', () => {
  it('replaces a previous bundle and leaves nothing else beside it', async () => {
    const first = sampleModel();
    await save(dir, { model: first, features: FEATURES, labels: LABELS });
    const second = sampleModel();
    tf.tidy(() => second.forward(tf.ones([4, 3])));
    const scaler = sampleScaler();
    const manifest = await save(dir, { model: second, features: FEATURES, labels: LABELS, scaler, name: 'phones' });
    expect(await readdir(root)).toEqual(['phone-price']);
    const bundle = await load(dir);
    expect(bundle.manifest).toEqual(manifest);
    expect(bundle.manifest.name).toBe('phones');
    expect(bundle.model.stateDict()['1.num_batches_tracked'].dataSync()[0]).toBe(2);
    bundle.dispose();
    first.dispose();
    second.dispose();
  });

  it('creates missing parent folders', async () => {
    const model = sampleModel();
    const nested = path.join(root, 'worker', 'models', 'phone-price');
    await save(nested, { model, features: FEATURES });
    const bundle = await load(nested);
    expect(bundle.predictRows(ROWS)).toHaveLength(4);
    bundle.dispose();
    model.dispose();
  });

  it('keeps the previous bundle and no temporary folder when the model fails midway', async () => {
    const model = sampleModel();
    model.stateDict = () => {
      throw new Error('state dict unavailable');
    };
    await expectPreviousBundleKept(() => save(dir, { model, features: FEATURES }), 'state dict unavailable');
    model.dispose();
  });

  it('keeps the previous bundle when the options do not make a valid bundle', async () => {
    const model = sampleModel();
    const scaler = new StandardScaler([0, 0], [1, 1]);
    await expectPreviousBundleKept(() => save(dir, { model, features: FEATURES, scaler }), 'preprocess.scaler.mean');
    await expectPreviousBundleKept(
      () => save(dir, { model, features: FEATURES, labels: ['low', 'high'] }),
      'the model gives 3 scores per row but the manifest lists 2 labels',
    );
    model.dispose();
  });

  it.skipIf(process.getuid?.() === 0)('keeps the previous bundle when the parent folder is read-only', async () => {
    const model = sampleModel();
    await expectPreviousBundleKept(async () => {
      await chmod(root, 0o500);
      return save(dir, { model, features: FEATURES });
    }, 'EACCES');
    model.dispose();
  });

  it('refuses to replace a folder that is not a bundle, or a file', async () => {
    const model = sampleModel();
    await mkdir(dir);
    await writeFile(path.join(dir, 'notes.txt'), 'keep me');
    const refused = save(dir, { model, features: FEATURES });
    await expect(refused).rejects.toThrow(BundleError);
    await expect(refused).rejects.toThrow('it is a folder with other content, not an edgeml bundle');
    expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    const file = path.join(root, 'file');
    await writeFile(file, 'data');
    await expect(save(file, { model, features: FEATURES })).rejects.toThrow('it is a file, not a bundle folder');
    expect((await readdir(root)).sort()).toEqual(['file', 'phone-price']);
    model.dispose();
  });
});
