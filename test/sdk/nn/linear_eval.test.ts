import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
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

function expectClose(actual: tf.Tensor, expected: number[]): void {
  const values = actual.dataSync();
  const worst = expected.findIndex((e, i) => !(Math.abs(values[i] - e) <= 1e-5 * (1 + Math.abs(e))));
  expect(worst, `element ${worst}: got ${values[worst]}, expected ${expected[worst]}`).toBe(-1);
}
