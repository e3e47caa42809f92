import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { BatchNorm1d, BatchNorm2d } from '../../../sdk/nn/batchnorm';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

describe.each([
  { Layer: BatchNorm1d, fixture: 'batchnorm1d.json' },
  { Layer: BatchNorm2d, fixture: 'batchnorm2d.json' },
])('nn.$Layer.name matches PyTorch ($fixture)', ({ Layer, fixture }) => {
  const { cases } = torchFixture(fixture);

  function fresh(c: any) {
    const { num_features, eps, momentum, affine } = c.config;
    const bn = new Layer(num_features, { eps, momentum, affine });
    if (affine) bn.loadStateDict({ weight: fromFixture(c.weight), bias: fromFixture(c.bias) }, { strict: false });
    return bn;
  }

  it.each<any>(cases)('$name: outputs and running statistics over the train steps, then eval', (c) => {
    const bn = fresh(c);
    for (const step of c.train_steps) {
      expectClose(bn.forward(fromFixture(step.input)), step.output);
      const state = bn.stateDict();
      expectClose(state.running_mean, step.running_mean);
      expectClose(state.running_var, step.running_var);
      expect(state.num_batches_tracked.dataSync()[0]).toBe(step.num_batches_tracked.data[0]);
    }
    bn.eval();
    expectClose(bn.forward(fromFixture(c.eval.input)), c.eval.output);
  });

  it.each<any>(cases)('$name: input gradients of Σ output·upstream', (c) => {
    const bn = fresh(c);
    for (const step of c.train_steps) {
      const dx = tf.grad((x: tf.Tensor) => bn.forward(x))(fromFixture(step.input), fromFixture(step.upstream));
      expectClose(dx, step.input_grad, { atol: 1e-5, rtol: 1e-4 });
    }
  });

  it('has PyTorch state-dict keys, without weight and bias when not affine', () => {
    const buffers = ['running_mean', 'running_var', 'num_batches_tracked'];
    expect(Object.keys(new Layer(3).stateDict())).toEqual(['weight', 'bias', ...buffers]);
    expect(Object.keys(new Layer(3, { affine: false }).stateDict())).toEqual(buffers);
  });
});

describe('batch norm input checks, worded like PyTorch', () => {
  it('refuses a single value per channel in training', () => {
    expect(() => new BatchNorm1d(3).forward(tf.ones([1, 3]))).toThrow(/more than 1 value per channel/);
  });

  it('names the accepted ranks and a channel mismatch', () => {
    expect(() => new BatchNorm1d(3).forward(tf.ones([4, 5]))).toThrow(/BatchNorm1d\(3\) got 5 channels/);
    expect(() => new BatchNorm2d(3).forward(tf.ones([2, 3]))).toThrow(/BatchNorm2d expects a 4D input/);
    expect(() => new BatchNorm2d(3).forward(tf.ones([2, 4, 2, 2]))).toThrow(/BatchNorm2d\(3\) got 4 channels/);
  });
});

describe('batch norm with trackRunningStats: false matches PyTorch (modules.json)', () => {
  const { batchnorm_no_running_stats: cases } = torchFixture('modules.json');
  const layers = { BatchNorm1d, BatchNorm2d };

  it.each<any>(cases)('$name: batch statistics in train and eval mode, gradients of input, weight and bias', (c) => {
    const { num_features, affine } = c.config;
    const bn = new layers[c.module as keyof typeof layers](num_features, { affine, trackRunningStats: false });
    expect(Object.keys(bn.stateDict())).toEqual(c.state_dict_keys);
    if (affine) bn.loadStateDict({ weight: fromFixture(c.weight), bias: fromFixture(c.bias) });
    for (const step of c.steps) {
      bn.train(step.mode === 'train');
      const x = fromFixture(step.input);
      const wrt = affine ? [x, bn.weight!, bn.bias!] : [x];
      const { value, grads } = tf.engine().gradients(() => bn.forward(x), wrt, fromFixture(step.upstream));
      expectClose(value, step.output);
      expectClose(grads[0], step.input_grad, { atol: 1e-5, rtol: 1e-4 });
      if (affine) {
        expectClose(grads[1], step.weight_grad, { atol: 1e-5, rtol: 1e-4 });
        expectClose(grads[2], step.bias_grad, { atol: 1e-5, rtol: 1e-4 });
      }
    }
    expect(bn.buffers()).toEqual([]);
  });
});

describe('batch norm in eval mode, with running statistics, under a gradient tape', () => {
  it.each([
    { Layer: BatchNorm2d, shape: [2, 3, 4, 5], affine: true },
    { Layer: BatchNorm2d, shape: [2, 3, 4, 5], affine: false },
    { Layer: BatchNorm1d, shape: [6, 3], affine: true },
  ])('$Layer.name $shape affine $affine: gradients of input, weight and bias as the formulas give them', ({ Layer, shape, affine }) => {
    const eps = 1e-3;
    const bn = new Layer(3, { eps, affine });
    const [mean, variance, weight, bias] = [[0.5, -1, 2], [0.25, 4, 1.5], [1.5, -0.5, 2], [0.1, 0.2, -0.3]];
    bn.loadStateDict(
      {
        running_mean: tf.tensor1d(mean),
        running_var: tf.tensor1d(variance),
        ...(affine ? { weight: tf.tensor1d(weight), bias: tf.tensor1d(bias) } : {}),
      },
      { strict: false },
    );
    bn.eval();
    const x = tf.randomNormal(shape);
    const upstream = tf.randomNormal(shape);
    const wrt = affine ? [x, bn.weight!, bn.bias!] : [x];
    const { value, grads } = tf.engine().gradients(() => bn.forward(x), wrt, upstream);
    // Float64 references; channel c of element i is (i / plane) % 3.
    const plane = shape.slice(2).reduce((a, b) => a * b, 1);
    const [xs, dys] = [Array.from(x.dataSync()), Array.from(upstream.dataSync())];
    const channel = (i: number) => Math.floor(i / plane) % 3;
    const w = (c: number) => (affine ? weight[c] : 1);
    const xHat = (i: number) => (xs[i] - mean[channel(i)]) / Math.sqrt(variance[channel(i)] + eps);
    const perElement = (term: (i: number) => number) => ({ shape, data: Array.from(xs, (_, i) => term(i)) });
    const perChannel = (term: (i: number) => number) => ({
      shape: [3],
      data: [0, 1, 2].map((c) => dys.reduce((sum, _, i) => sum + (channel(i) === c ? term(i) : 0), 0)),
    });
    expectClose(value, perElement((i) => xHat(i) * w(channel(i)) + (affine ? bias[channel(i)] : 0)));
    expectClose(grads[0], perElement((i) => (dys[i] * w(channel(i))) / Math.sqrt(variance[channel(i)] + eps)));
    if (affine) {
      expectClose(grads[1], perChannel((i) => dys[i] * xHat(i)));
      expectClose(grads[2], perChannel((i) => dys[i]));
    }
  });
});
