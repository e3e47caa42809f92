// Part of the worker project's globalSetup (Node): two versions of a small phone-price classifier made with the SDK
// (an nn.Sequential bundle and a traced subclass), with what the SDK's Node loader predicts for the same rows.
// test/worker/registry.test.ts publishes them to the Worker's registry and expects the same answers.
import * as tf from '@tensorflow/tfjs-core';
import type { TestProject } from 'vitest/node';
import { fromBytes } from '../../sdk/bundle/bundle';
import { exportBundle, type ExportOptions } from '../../sdk/bundle/export';
import { relu } from '../../sdk/functional/activation';
import * as nn from '../../sdk/nn/index';
import { manualSeed } from '../../sdk/random';
import type { RegistryCase } from '../worker/provided';

const FEATURES = Array.from({ length: 20 }, (_, i) => `f${i}`);
const ROWS = 16;

class TwoLayer extends nn.Module {
  hidden = new nn.Linear(FEATURES.length, 12);
  output = new nn.Linear(12, 4);
  forward(x: tf.Tensor): tf.Tensor {
    return this.output.forward(relu(this.hidden.forward(x)));
  }
}

export async function provideRegistry(project: TestProject): Promise<void> {
  manualSeed(7);
  const instances = Array.from({ length: ROWS }, () => FEATURES.map(() => Math.round(Math.random() * 2000) / 100 - 10));
  const common = { name: 'tiny', features: FEATURES, labels: ['low', 'medium', 'high', 'very high'] } as const;
  const versions = [
    await version({ ...common, model: new nn.Sequential(new nn.Linear(FEATURES.length, 8), new nn.ReLU(), new nn.Linear(8, 4)), metrics: { test_accuracy: 0.5 } }, instances),
    await version({ ...common, model: new TwoLayer(), example: tf.zeros([1, FEATURES.length]), metrics: { test_accuracy: 0.75 } }, instances),
  ];
  project.provide('registry', { instances, versions });
}

async function version(options: ExportOptions, instances: number[][]): Promise<RegistryCase['versions'][number]> {
  const { manifest, weights } = await exportBundle(options);
  const bundle = await fromBytes(manifest, weights);
  try {
    return { manifest, weights: Buffer.from(weights).toString('base64'), expected: bundle.predict(instances) };
  } finally {
    bundle.dispose();
    options.model.dispose();
  }
}
