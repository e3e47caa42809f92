import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { conv2d } from '../../../sdk/functional/conv';
import { crossEntropy } from '../../../sdk/functional/loss';
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, build } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

describe('nn.Conv2d', () => {
  it('has PyTorch state-dict keys and shapes', () => {
    const layer = new Conv2d(3, 4, [3, 5]);
    const state = layer.stateDict();
    expect(Object.keys(state)).toEqual(['weight', 'bias']);
    expect(state.weight.shape).toEqual([4, 3, 3, 5]);
    expect(state.bias.shape).toEqual([4]);
    expect(Object.keys(new Conv2d(3, 4, 3, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('draws weight and bias from U(−1/√fanIn, 1/√fanIn), fanIn = inChannels·kh·kw (kaiming_uniform a=√5)', () => {
    const layer = new Conv2d(8, 16, 3, { generator: new Generator(5) });
    const bound = 1 / Math.sqrt(8 * 3 * 3);
    const weights = Array.from(layer.weight.dataSync()).map(Math.abs);
    const biases = Array.from(layer.bias!.dataSync()).map(Math.abs);
    expect(Math.max(...weights)).toBeLessThanOrEqual(bound);
    expect(Math.max(...weights)).toBeGreaterThan(0.98 * bound);
    expect(Math.max(...biases)).toBeLessThanOrEqual(bound);
    // Uniform on (−b, b): the mean |w| is close to b/2 over 1152 draws.
    expect(weights.reduce((a, b) => a + b, 0) / weights.length).toBeCloseTo(bound / 2, 2);
  });

  it('draws the same weights from the same seed', () => {
    const a = new Conv2d(3, 4, 3, { generator: new Generator(1) });
    const b = new Conv2d(3, 4, 3, { generator: new Generator(1) });
    expect(a.weight.dataSync()).toEqual(b.weight.dataSync());
    expect(a.bias!.dataSync()).toEqual(b.bias!.dataSync());
  });

  it('matches torch on a fixture once its weights are loaded', () => {
    const c = torchFixture('conv2d.json').cases.find((k: { name: string }) => k.name === 'k5x5_stride2_p1_batch2_no_bias');
    const layer = new Conv2d(3, 4, 5, { stride: 2, padding: 1, bias: false });
    layer.loadStateDict({ weight: fromFixture(c.weight) });
    expectClose(layer.forward(fromFixture(c.input)), c.output);
  });

  it('accepts unbatched input and gives unbatched output', () => {
    const layer = new Conv2d(3, 2, 3, { padding: 'same' });
    expect(layer.forward(tf.ones([3, 6, 5])).shape).toEqual([2, 6, 5]);
  });

  it('refuses bad options when built, not at the first input', () => {
    expect(() => new Conv2d(3, 4, 3, { stride: 2, padding: 'same' })).toThrow(/padding='same' is not supported/);
    expect(() => new Conv2d(3, 4, 0)).toThrow(ArgumentError);
    expect(() => new Conv2d(0, 4, 3)).toThrow(/inChannels must be a positive integer/);
    expect(() => new Conv2d(3, 4, 3, { dilation: 0 })).toThrow(/dilation should be greater than zero/);
  });

  it('trains: its parameters get gradients through a conv-pool-linear model', () => {
    const model = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1, generator: new Generator(2) }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(2 * 3 * 3, 2, { generator: new Generator(3) }),
    );
    const x = tf.randomUniform([2, 1, 6, 6], -1, 1, 'float32', 4);
    const { grads } = tf.variableGrads(() => crossEntropy(model.forward(x), [0, 1]), model.parameters());
    expect(Object.keys(grads)).toHaveLength(4);
    const conv = model.layers[0] as Conv2d;
    expect(tf.max(tf.abs(grads[conv.weight.name])).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('nn.MaxPool2d and nn.AvgPool2d', () => {
  const x = () => tf.reshape(tf.range(1, 26), [1, 1, 5, 5]);

  it('pool like F.maxPool2d / F.avgPool2d, with the stride defaulting to the kernel size', () => {
    expect(Array.from(new MaxPool2d(3, { stride: 2 }).forward(x()).dataSync())).toEqual([13, 15, 23, 25]);
    expect(Array.from(new AvgPool2d(3, { stride: 2 }).forward(x()).dataSync())).toEqual([7, 9, 17, 19]);
    const ceiled = new MaxPool2d(2, { ceilMode: true }).forward(x());
    expect(Array.from(ceiled.dataSync())).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
    expect(new AvgPool2d(2).forward(x()).shape).toEqual([1, 1, 2, 2]);
  });

  it('refuses padding over half the kernel when built', () => {
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/pad should be at most half of effective kernel size/);
  });

  it('have no state', () => {
    expect(Object.keys(new MaxPool2d(2).stateDict())).toEqual([]);
    expect(Object.keys(new AvgPool2d(2).stateDict())).toEqual([]);
  });
});

describe('nn.build rebuilds conv and pool layers from spec()', () => {
  it.each([
    () => new Conv2d(3, 4, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, bias: false }),
    () => new Conv2d(3, 4, 3, { padding: 'same' }),
    () => new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    () => new AvgPool2d([2, 3], { countIncludePad: false }),
  ])('case %#', (make) => {
    const original = make();
    const rebuilt = build(JSON.parse(JSON.stringify(original.spec())));
    expect(rebuilt.spec()).toEqual(original.spec());
    rebuilt.loadStateDict(original.stateDict());
    const input = tf.randomUniform([1, 3, 9, 10], -1, 1, 'float32', 6);
    expect(rebuilt.forward(input).dataSync()).toEqual(original.forward(input).dataSync());
  });

  it('names a malformed padding option', () => {
    expect(() => build({ type: 'Conv2d', inChannels: 1, outChannels: 1, kernelSize: 3, padding: 'mirror' })).toThrow(
      /Conv2d spec: "padding" must be a number, a pair or one of "valid", "same", "full"/,
    );
  });

  it('gives Conv2d the same result as F.conv2d with its weights', () => {
    const layer = new Conv2d(2, 3, 3, { stride: 2 });
    const input = tf.randomUniform([1, 2, 7, 7]);
    expect(layer.forward(input).dataSync()).toEqual(conv2d(input, layer.weight, layer.bias, { stride: 2 }).dataSync());
  });
});
