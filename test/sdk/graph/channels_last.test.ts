import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes, type Bundle } from '../../../sdk/bundle/bundle';
import { exportBundle } from '../../../sdk/bundle/export';
import * as F from '../../../sdk/functional/index';
import { GraphModule } from '../../../sdk/graph/graph-module';
import { AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

/** The course's image classifier without batch norm: conv-relu-pool twice, one reading the other, then a Linear. */
class PlainCnn extends Module {
  conv1: Conv2d;
  pool1: MaxPool2d;
  conv2: Conv2d;
  pool2: AvgPool2d;
  flatten = new Flatten();
  fc: Linear;
  constructor() {
    super();
    const generator = new Generator(11);
    this.conv1 = new Conv2d(1, 4, 3, { padding: 1, generator });
    this.pool1 = new MaxPool2d(2);
    this.conv2 = new Conv2d(4, 6, 3, { padding: 1, generator });
    this.pool2 = new AvgPool2d(2, { padding: 1 });
    this.fc = new Linear(6 * 3 * 3, 3, { generator });
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = this.pool1.forward(F.relu(this.conv1.forward(x)));
    x = this.pool2.forward(F.relu(this.conv2.forward(x)));
    return this.fc.forward(this.flatten.forward(x));
  }
}

/** The digit CNN's shape in small: conv-BN-ReLU-pool twice, the batch norms' statistics moved by one training pass. */
class NormalisedCnn extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  pool = new MaxPool2d(2);
  flatten = new Flatten();
  fc: Linear;
  constructor(trackRunningStats = true) {
    super();
    const generator = new Generator(13);
    this.bn1 = new BatchNorm2d(4, { trackRunningStats });
    this.bn2 = new BatchNorm2d(6, { trackRunningStats });
    this.conv1 = new Conv2d(1, 4, 3, { padding: 1, generator });
    this.conv2 = new Conv2d(4, 6, 3, { padding: 1, generator });
    this.fc = new Linear(6 * 2 * 2, 3, { generator });
    tf.tidy(() => this.forward(images(6)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = this.pool.forward(F.relu(this.bn1.forward(this.conv1.forward(x))));
    x = this.pool.forward(F.relu(this.bn2.forward(this.conv2.forward(x))));
    return this.fc.forward(this.flatten.forward(x));
  }
}

const images = (count: number) => tf.tensor4d(new Generator(12).uniform(count * 64, 0, 1), [count, 1, 8, 8]);

async function served(model: Module): Promise<Bundle> {
  model.eval();
  const { manifest, weights } = await exportBundle({ model, example: images(1), name: 'plain-cnn' });
  return fromBytes(manifest, weights);
}

const transposes = async (run: () => tf.Tensor) =>
  (await tf.profile(() => void run().dispose())).kernels.filter((k) => k.name === 'Transpose').length;

describe('a loaded graph keeps a run of convolutions and poolings in NHWC', () => {
  it('gives the traced model’s outputs to the bit, moving the data once', async () => {
    const model = new PlainCnn();
    const bundle = await served(model);
    const graph = bundle.model as GraphModule;
    const x = images(3);
    expect(Array.from(graph.forward(x).dataSync())).toEqual(Array.from(tf.tidy(() => model.forward(x)).dataSync()));
    // Node by node: conv1 out, pool1 in and out, conv2 in and out, pool2 in and out. In a run: its end only (the
    // one-channel input moves by a reshape).
    expect({ run: await transposes(() => graph.forward(x)), live: await transposes(() => model.forward(x)) }).toEqual({ run: 1, live: 7 });
    bundle.dispose();
  });

  it('ends a run early for the first layer’s feature maps', async () => {
    const model = new PlainCnn();
    const bundle = await served(model);
    const x = images(2);
    const maps = (bundle.model as GraphModule).firstFeatureMaps(x)!;
    const expected = tf.tidy(() => F.relu(model.conv1.forward(x)));
    expect(maps.shape).toEqual([2, 4, 8, 8]);
    expect(Array.from(maps.dataSync())).toEqual(Array.from(expected.dataSync()));
    bundle.dispose();
  });

  it('runs batch norm with running statistics inside a run: the digit CNN’s shape moves its data once', async () => {
    const model = new NormalisedCnn();
    const bundle = await served(model);
    const graph = bundle.model as GraphModule;
    const x = images(3);
    expect(Array.from(graph.forward(x).dataSync())).toEqual(Array.from(tf.tidy(() => model.forward(x)).dataSync()));
    expect({ run: await transposes(() => graph.forward(x)), live: await transposes(() => model.forward(x)) }).toEqual({ run: 1, live: 7 });
    const maps = graph.firstFeatureMaps(x)!;
    expect(Array.from(maps.dataSync())).toEqual(Array.from(tf.tidy(() => F.relu(model.bn1.forward(model.conv1.forward(x)))).dataSync()));
    bundle.dispose();
  });

  it('leaves batch norm without running statistics (it normalises by the batch) out of a run', async () => {
    const model = new NormalisedCnn(false);
    const bundle = await served(model);
    const x = images(3);
    expect(Array.from(bundle.model.forward(x).dataSync())).toEqual(Array.from(tf.tidy(() => model.forward(x)).dataSync()));
    bundle.dispose();
  });
});
