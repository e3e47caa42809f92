import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { BatchNorm1d, Dropout, Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

function mlp(seed: number): Sequential {
  const generator = new Generator(seed);
  return new Sequential(new Linear(20, 64, { generator }), new ReLU(), new Linear(64, 48, { generator }), new ReLU(), new Linear(48, 4, { generator }));
}

/** The layers one after the other, outside Sequential.forward. */
function layerByLayer(model: Sequential, x: tf.Tensor): tf.Tensor {
  return model.layers.reduce((h, layer) => layer.forward(h), x);
}

describe('nn.Linear in eval mode keeps Wᵀ for inference', () => {
  it('gives the outputs of train mode', () => {
    const model = mlp(2);
    const x = tf.randomNormal([3, 20]);
    const training = Array.from(model.forward(x).dataSync());
    model.eval();
    expectClose(model.forward(x), training);
    expectClose(model.forward(x), training);
  });

  it('follows the weights when they change (a state dict loaded, an optimiser step)', () => {
    const model = mlp(3).eval();
    const other = mlp(4);
    const x = tf.randomNormal([2, 20]);
    model.forward(x);
    model.loadStateDict(other.stateDict());
    expectClose(model.forward(x), Array.from(other.forward(x).dataSync()));
    const first = model.layers[0] as Linear;
    first.weight.assign(tf.zerosLike(first.weight));
    first.bias!.assign(tf.zerosLike(first.bias!));
    expectClose(model.forward(x), Array.from(layerByLayer(model.train(), x).dataSync()));
  });

  it('frees the kept copy on train() and dispose()', () => {
    const before = tf.memory().numTensors;
    const model = mlp(5);
    const created = tf.memory().numTensors;
    model.eval();
    tf.tidy(() => void model.forward(tf.ones([1, 20])));
    expect(tf.memory().numTensors).toBe(created + 3);
    model.train();
    expect(tf.memory().numTensors).toBe(created);
    model.eval();
    tf.tidy(() => void model.forward(tf.ones([1, 20])));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('nn.Sequential in eval mode', () => {
  it('passes rows between its Linear layers as the product kernel takes them: a reshape at each end of the run only', async () => {
    const model = mlp(6).eval();
    const x = tf.randomNormal([5, 20]);
    tf.tidy(() => void model.forward(x)); // keeps each Wᵀ
    const { kernels } = await tf.profile(() => void model.forward(x).dispose());
    const count = (name: string) => kernels.filter((k) => k.name === name).length;
    expect({ products: count('FusedConv2D'), reshapes: count('Reshape'), all: kernels.length }).toEqual({ products: 3, reshapes: 2, all: 7 });
    expect(Array.from(model.forward(x).dataSync())).toEqual(Array.from(layerByLayer(model, x).dataSync()));
  });

  it('gives layers between the Linear ones the rows as [N, features], and keeps the input rank', () => {
    const generator = new Generator(7);
    const model = new Sequential(
      new Linear(20, 16, { generator }),
      new BatchNorm1d(16),
      new ReLU(),
      new Linear(16, 12, { generator }),
      new ReLU(),
      new Dropout(0.5),
      new Linear(12, 3, { generator }),
    );
    const norm = model.layers[1] as BatchNorm1d;
    norm.runningMean!.assign(tf.linspace(-1, 1, 16));
    norm.runningVar!.assign(tf.linspace(0.5, 2, 16));
    model.eval();
    const x = tf.randomNormal([4, 20]);
    expect(Array.from(model.forward(x).dataSync())).toEqual(Array.from(layerByLayer(model, x).dataSync()));
    const plainMlp = mlp(8).eval();
    for (const shape of [[20], [4, 20], [2, 3, 20]]) {
      const input = tf.randomNormal(shape);
      const y = plainMlp.forward(input);
      expect(y.shape, `input [${shape}]`).toEqual([...shape.slice(0, -1), 4]);
      expect(Array.from(y.dataSync()), `input [${shape}]`).toEqual(Array.from(layerByLayer(plainMlp, input).dataSync()));
    }
  });
});

function expectClose(actual: tf.Tensor, expected: number[]): void {
  const values = actual.dataSync();
  const worst = expected.findIndex((e, i) => !(Math.abs(values[i] - e) <= 1e-5 * (1 + Math.abs(e))));
  expect(worst, `element ${worst}: got ${values[worst]}, expected ${expected[worst]}`).toBe(-1);
}
