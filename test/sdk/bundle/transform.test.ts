import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import type { Bundle } from '../../../sdk/bundle/bundle';
import { load } from '../../../sdk/bundle/load';
import { InputError } from '../../../sdk/errors';
import { conv2d } from '../../../sdk/functional/conv';
import { maxPool2d } from '../../../sdk/functional/pool';
import { repoRoot } from '../../helpers/fixtures';

let features: Bundle;

beforeAll(async () => {
  await ready();
  features = await load(path.join(repoRoot, 'worker/models/features'));
});

describe('Bundle.transform (the features bundle: Conv2d(3, 4, 3, stride=2) then MaxPool2d(2))', () => {
  it('equals conv2d then maxPool2d with the bundle weights, batched and unbatched', () => {
    const image = tf.randomUniform([3, 33, 29], 0, 1, 'float32', 7);
    const state = features.model.stateDict();
    const expected = maxPool2d(conv2d(image, state['0.weight'], state['0.bias'], { stride: 2 }), { kernelSize: 2 });
    const unbatched = features.transform(image);
    expect(unbatched.shape).toEqual([4, 8, 7]);
    expect(Array.from(unbatched.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(features.transform(tf.stack([image, image])).shape).toEqual([2, 4, 8, 7]);
  });

  it('refuses an image with the wrong channel count, or too small for the kernel, as input errors', () => {
    expect(() => features.transform(tf.zeros([1, 16, 16]))).toThrow(InputError);
    expect(() => features.transform(tf.zeros([1, 16, 16]))).toThrow(/C = 3, got \[1,16,16\]/);
    expect(() => features.transform(tf.zeros([3, 2, 2]))).toThrow(InputError);
  });

  it('is reproduced byte for byte by npm run export-features', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'edgeml-features-')), 'features');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export-features.ts', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const committed = readFileSync(path.join(repoRoot, 'worker/models/features/model.safetensors'));
    expect(readFileSync(path.join(out, 'model.safetensors')).equals(committed)).toBe(true);
  });
});
