// Modules called more than once in a forward: one activation or pool module for every layer, and weight sharing (a
// Linear or Conv2d applied twice, a module registered under two names, a parameter two layers hold). Each call is a
// node of its own; the bundle must reload to the model's outputs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes } from '../../../sdk/bundle/bundle';
import { exportBundle } from '../../../sdk/bundle/export';
import type { ManifestV2 } from '../../../sdk/bundle/format';
import { TraceError } from '../../../sdk/errors';
import { exportGraph } from '../../../sdk/graph/export';
import { ReLU } from '../../../sdk/nn/activation';
import { BatchNorm2d } from '../../../sdk/nn/batchnorm';
import { Conv2d } from '../../../sdk/nn/conv';
import { Flatten } from '../../../sdk/nn/flatten';
import { Linear } from '../../../sdk/nn/linear';
import { Module } from '../../../sdk/nn/module';
import { AvgPool2d, MaxPool2d } from '../../../sdk/nn/pool';
import { Generator } from '../../../sdk/random';
import { images, rows } from './models';

beforeAll(async () => {
  await ready();
});

/** Three Linears with one ReLU module between them all. */
class SharedActivation extends Module {
  fc1 = new Linear(5, 8, { generator: new Generator(11) });
  fc2 = new Linear(8, 8, { generator: new Generator(12) });
  fc3 = new Linear(8, 3, { generator: new Generator(13) });
  act = new ReLU();
  forward(x: tf.Tensor): tf.Tensor {
    const h = this.act.forward(this.fc1.forward(x));
    return this.fc3.forward(this.act.forward(this.fc2.forward(h)));
  }
}

/** A CNN with one ReLU and one MaxPool2d module for both blocks, and one Conv2d applied twice (shared weights). */
class SharedCnn extends Module {
  conv1 = new Conv2d(1, 3, 3, { padding: 1, generator: new Generator(21) });
  conv2 = new Conv2d(3, 3, 3, { padding: 1, generator: new Generator(22) });
  bn = new BatchNorm2d(3);
  act = new ReLU();
  pool = new MaxPool2d(2);
  average = new AvgPool2d(2);
  flatten = new Flatten();
  fc = new Linear(3 * 2 * 2, 3, { generator: new Generator(23) });
  constructor() {
    super();
    tf.tidy(() => this.forward(images(6, 24))); // batch-norm statistics off 0 and 1
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = this.pool.forward(this.act.forward(this.bn.forward(this.conv1.forward(x)))); // 8 → 4
    x = this.act.forward(this.conv2.forward(this.act.forward(this.conv2.forward(x)))); // conv2 twice
    x = tf.add(this.pool.forward(x), this.average.forward(x)); // 4 → 2
    return this.fc.forward(this.flatten.forward(x));
  }
}

/** One Linear applied twice, the same module under a second name, and a weight two Linears hold (tied). */
class TiedWeights extends Module {
  fc = new Linear(6, 6, { generator: new Generator(31) });
  again: Linear;
  encode = new Linear(6, 6, { generator: new Generator(32) });
  decode = new Linear(6, 6, { generator: new Generator(33) });
  out = new Linear(6, 2, { generator: new Generator(34) });
  constructor() {
    super();
    this.again = this.fc;
    this.decode.weight = this.encode.weight;
  }
  forward(x: tf.Tensor): tf.Tensor {
    const h = this.fc.forward(tf.mul(this.fc.forward(x), 0.5));
    return this.out.forward(this.decode.forward(this.encode.forward(this.again.forward(h))));
  }
}

/** `model`'s eval-mode output on `x`. */
function live(model: Module, x: tf.Tensor): Float32Array {
  model.eval();
  return tf.tidy(() => model.forward(x)).dataSync() as Float32Array;
}

/** `model` exported (traced on one row of `x`), its manifest through JSON text, and reloaded from the bytes. */
async function roundTrip(model: Module, x: tf.Tensor, labels: string[]) {
  const example = tf.slice(x, 0, 1);
  const features = x.rank === 2 ? Array.from({ length: x.shape[1]! }, (_, i) => `f${i}`) : undefined;
  const { manifest, weights } = await exportBundle({ model, example, name: 'shared', labels, features });
  const served = await fromBytes(JSON.parse(JSON.stringify(manifest)), weights);
  return { graph: (manifest as ManifestV2).graph, served };
}

/** Each node as [op, inputs, module]. */
const nodes = (graph: ManifestV2['graph']) => graph.nodes.map(({ op, inputs, module }) => [op, inputs, module]);

function expectClose(got: Float32Array, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  got.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(1e-6));
}

describe('a module called more than once in a traced forward', () => {
  it('records a shared activation module at each call and reloads to the same outputs', async () => {
    const model = new SharedActivation();
    const x = rows(7, 5);
    const { graph, served } = await roundTrip(model, x, ['a', 'b', 'c']);
    expect(nodes(graph)).toEqual([
      ['linear', ['$input', 'fc1.weight', 'fc1.bias'], 'fc1'],
      ['relu', ['#0'], 'act'],
      ['linear', ['#1', 'fc2.weight', 'fc2.bias'], 'fc2'],
      ['relu', ['#2'], 'act'],
      ['linear', ['#3', 'fc3.weight', 'fc3.bias'], 'fc3'],
    ]);
    expectClose(tf.tidy(() => served.model.forward(x)).dataSync() as Float32Array, live(model, x));
    served.dispose();
  });

  it('exports shared pools and a Conv2d applied twice, each call with its own copy of the options', async () => {
    const model = new SharedCnn();
    const x = images(5, 25);
    const { graph, served } = await roundTrip(model, x, ['a', 'b', 'c']);
    const pools = graph.nodes.filter((node) => node.op === 'maxPool2d');
    expect(pools).toHaveLength(2);
    expect(pools[1].attrs).toEqual(pools[0].attrs);
    expect(pools[1].attrs.kernelSize).not.toBe(pools[0].attrs.kernelSize);
    const convs = graph.nodes.filter((node) => node.op === 'conv2d').map((node) => [node.inputs.slice(1), node.module]);
    expect(convs).toEqual([
      [['conv1.weight', 'conv1.bias'], 'conv1'],
      [['conv2.weight', 'conv2.bias'], 'conv2'],
      [['conv2.weight', 'conv2.bias'], 'conv2'],
    ]);
    expectClose(tf.tidy(() => served.model.forward(x)).dataSync() as Float32Array, live(model, x));
    served.dispose();
  });

  it('exports shared weights: a Linear applied twice, one registered under two names, a tied parameter', async () => {
    const model = new TiedWeights();
    const x = rows(4, 6);
    const { graph, served } = await roundTrip(model, x, ['no', 'yes']);
    expect(graph.nodes.filter((node) => node.op === 'linear').map((node) => node.inputs[1])).toEqual([
      'fc.weight',
      'fc.weight',
      'fc.weight', // `again` is `fc`: the state dict's first key for the tensor
      'encode.weight',
      'encode.weight', // decode.weight is encode.weight
      'out.weight',
    ]);
    expect(graph.nodes.map((node) => node.inputs.includes('decode.bias'))).toContain(true);
    expectClose(tf.tidy(() => served.model.forward(x)).dataSync() as Float32Array, live(model, x));
    served.dispose();
  });

  it('still names the op and the module for what cannot be traced in a module called twice', () => {
    class Abs extends Module {
      forward(x: tf.Tensor): tf.Tensor {
        return tf.abs(x);
      }
    }
    class Twice extends Module {
      fc = new Linear(4, 4, { generator: new Generator(41) });
      abs = new Abs();
      forward(x: tf.Tensor): tf.Tensor {
        return this.abs.forward(this.fc.forward(this.abs.forward(x)));
      }
    }
    let error: unknown;
    try {
      exportGraph(new Twice(), rows(2, 4));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TraceError);
    expect((error as TraceError).message).toMatch(/^module "abs" \(Abs\) calls the tfjs op "Abs"/);
    expect((error as TraceError).details).toMatchObject({ op: 'Abs', module: 'abs' });
  });
});
