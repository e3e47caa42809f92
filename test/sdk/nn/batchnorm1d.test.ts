import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { BatchNorm1d } from '../../../sdk/nn/batchnorm';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const { cases } = torchFixture('batchnorm1d.json');

beforeAll(ready);

describe('nn.BatchNorm1d matches torch.nn.BatchNorm1d', () => {
  it.each<any>(cases)('$name: train steps, running stats, gradients, eval', (c) => {
    const { num_features, eps, momentum, affine } = c.config;
    const bn = new BatchNorm1d(num_features, { eps, momentum, affine });
    if (affine) bn.loadStateDict({ weight: fromFixture(c.weight), bias: fromFixture(c.bias) }, { strict: false });
    for (const step of c.train_steps) {
      const x = fromFixture(step.input);
      const upstream = fromFixture(step.upstream);
      expectClose(tf.grad((input: tf.Tensor) => bn.forward(input))(x, upstream), step.input_grad, {
        atol: 1e-5,
        rtol: 1e-4,
      });
      const state = bn.stateDict();
      expectClose(state.running_mean, step.running_mean);
      expectClose(state.running_var, step.running_var);
      expect(state.num_batches_tracked.dataSync()[0]).toBe(step.num_batches_tracked.data[0]);
    }
    // The gradient pass above already advanced the statistics once per step, so forward outputs are checked on a
    // fresh module driven through the same steps.
    const fresh = new BatchNorm1d(num_features, { eps, momentum, affine });
    if (affine) fresh.loadStateDict({ weight: fromFixture(c.weight), bias: fromFixture(c.bias) }, { strict: false });
    for (const step of c.train_steps) expectClose(fresh.forward(fromFixture(step.input)), step.output);
    fresh.eval();
    expectClose(fresh.forward(fromFixture(c.eval.input)), c.eval.output);
  });

  it('has PyTorch state-dict keys', () => {
    expect(Object.keys(new BatchNorm1d(3).stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(Object.keys(new BatchNorm1d(3, { affine: false }).stateDict())).toEqual([
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
  });

  it('refuses a single value per channel in training, as PyTorch does', () => {
    expect(() => new BatchNorm1d(3).forward(tf.ones([1, 3]))).toThrow(/more than 1 value per channel/);
  });

  it('names a channel mismatch', () => {
    expect(() => new BatchNorm1d(3).forward(tf.ones([4, 5]))).toThrow(/BatchNorm1d\(3\) got 5 channels/);
  });
});
