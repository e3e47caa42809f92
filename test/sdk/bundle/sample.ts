import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from '../../../sdk/bundle/bundle';
import type { Manifest } from '../../../sdk/bundle/format';
import { StandardScaler } from '../../../sdk/data/scaler';
import { ReLU } from '../../../sdk/nn/activation';
import { BatchNorm1d } from '../../../sdk/nn/batchnorm';
import { Dropout } from '../../../sdk/nn/dropout';
import { Linear } from '../../../sdk/nn/linear';
import { Sequential } from '../../../sdk/nn/sequential';
import { Generator } from '../../../sdk/random';

export const FEATURES = ['battery_power', 'ram', 'px_width'];
export const LABELS = ['low', 'medium', 'high'];

/** Phone-like raw rows: 4 instances × FEATURES. */
export const ROWS = new Float32Array([842, 2549, 756, 1021, 2631, 1988, 563, 2603, 1716, 1859, 769, 1212]);

/** A small classifier with every kind of state a bundle must carry: weights, biases and batch-norm buffers. */
export function sampleModel(): Sequential {
  const model = new Sequential(
    new Linear(3, 8, { generator: new Generator(1) }),
    new BatchNorm1d(8),
    new ReLU(),
    new Dropout(0.2, new Generator(3)),
    new Linear(8, 3, { generator: new Generator(2) }),
  );
  // One training-mode pass moves the batch-norm statistics off their defaults, so a round trip has them to keep.
  tf.tidy(() => model.forward(tf.tensor2d(new Generator(4).uniform(48, -2, 2), [16, 3])));
  return model;
}

export const sampleScaler = () => new StandardScaler([1200, 2100, 900], [430, 1080, 420]);

export const tempDir = () => mkdtemp(path.join(tmpdir(), 'edgeml-bundle-'));

/** `manifest` pointing at `weights`: the way to get edited weights past the digest check to the next one. */
export async function withWeights<M extends Manifest>(manifest: M, weights: Uint8Array): Promise<M> {
  return { ...manifest, weights: { ...manifest.weights, sha256: await sha256Hex(weights), bytes: weights.length } };
}
