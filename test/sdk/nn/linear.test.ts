import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { linear } from '../../../sdk/functional/linear';
import { Linear } from '../../../sdk/nn/linear';
import { Generator } from '../../../sdk/random';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const { forward, init } = torchFixture('linear.json');

beforeAll(ready);

describe('nn.Linear', () => {
  it('computes x·Wᵀ + b like torch.nn.Linear, on every row', () => {
    const layer = new Linear(forward.in_features, forward.out_features);
    layer.loadStateDict({ weight: fromFixture(forward.weight), bias: fromFixture(forward.bias) });
    expectClose(layer.forward(fromFixture(forward.input)), forward.output);
  });

  it('has the gradients PyTorch computes for input, weight and bias', () => {
    const [x, w, b] = [forward.input, forward.weight, forward.bias].map((t) => fromFixture(t));
    const [dx, dw, db] = tf.grads((...inputs: tf.Tensor[]) => linear(inputs[0], inputs[1], inputs[2]))(
      [x, w, b],
      fromFixture(forward.upstream),
    );
    expectClose(dx, forward.grads.input);
    expectClose(dw, forward.grads.weight);
    expectClose(db, forward.grads.bias);
  });

  it('keeps leading dimensions: [2, 4, in] → [2, 4, out], with the gradient shaped like the input', () => {
    const layer = new Linear(5, 3);
    const x = tf.randomNormal([2, 4, 5]);
    expect(layer.forward(x).shape).toEqual([2, 4, 3]);
    expect(tf.grad((input: tf.Tensor) => layer.forward(input))(x, tf.ones([2, 4, 3])).shape).toEqual([2, 4, 5]);
  });

  it('has weight [out, in] and PyTorch default init bounds U(−1/√in, 1/√in)', () => {
    const layer = new Linear(init.in_features, init.out_features, { generator: new Generator(3) });
    expect(layer.weight.shape).toEqual([init.out_features, init.in_features]);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    const weights = Array.from(layer.weight.dataSync());
    const biases = Array.from(layer.bias!.dataSync());
    const bound = init.bound;
    expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...biases.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Like torch's own draw (weight_abs_max in the fixture), the sample reaches close to the bound.
    expect(Math.max(...weights.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...weights.map(Math.abs))).toBeGreaterThan(0.95 * init.weight_abs_max);
  });

  it('draws the same weights from the same seed', () => {
    const a = new Linear(4, 3, { generator: new Generator(9) });
    const b = new Linear(4, 3, { generator: new Generator(9) });
    expect(a.weight.dataSync()).toEqual(b.weight.dataSync());
  });

  it('can omit the bias', () => {
    const layer = new Linear(4, 2, { bias: false });
    expect(Object.keys(layer.stateDict())).toEqual(['weight']);
    expect(layer.forward(tf.ones([3, 4])).shape).toEqual([3, 2]);
    const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => linear(x, w))([tf.ones([3, 4]), layer.weight], tf.ones([3, 2]));
    expect(dx.shape).toEqual([3, 4]);
    expect(Array.from(dw.dataSync())).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
  });

  it('says what is wrong with a mis-sized input', () => {
    expect(() => new Linear(4, 2).forward(tf.ones([3, 5]))).toThrow(/expects 4 input features, got 5/);
  });
});
