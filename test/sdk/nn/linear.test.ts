import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Linear } from '../../../sdk/nn/linear';
import { Generator } from '../../../sdk/random';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const { forward, init } = torchFixture('linear.json');

beforeAll(ready);

describe('nn.Linear', () => {
  it('computes x·Wᵀ + b and its gradients like torch.nn.Linear', () => {
    const layer = new Linear(forward.in_features, forward.out_features);
    layer.loadStateDict({ weight: fromFixture(forward.weight), bias: fromFixture(forward.bias) });
    const x = fromFixture(forward.input);
    expectClose(layer.forward(x), forward.output);
    const upstream = fromFixture(forward.upstream);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.forward(x), upstream)) as tf.Scalar);
    expectClose(grads[layer.weight.name], forward.grads.weight);
    expectClose(grads[layer.bias!.name], forward.grads.bias);
    expectClose(tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.forward(input), upstream)))(x), forward.grads.input);
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
  });

  it('says what is wrong with a mis-sized input', () => {
    expect(() => new Linear(4, 2).forward(tf.ones([3, 5]))).toThrow(/expects 4 input features, got 5/);
  });
});
