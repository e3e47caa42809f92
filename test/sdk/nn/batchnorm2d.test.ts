import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { BatchNorm2d } from '../../../sdk/nn/batchnorm';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const { cases } = torchFixture('batchnorm2d.json');

beforeAll(ready);

function fresh(c: any): BatchNorm2d {
  const { num_features, eps, momentum, affine } = c.config;
  const bn = new BatchNorm2d(num_features, { eps, momentum, affine });
  if (affine) bn.loadStateDict({ weight: fromFixture(c.weight), bias: fromFixture(c.bias) }, { strict: false });
  return bn;
}

describe('nn.BatchNorm2d matches torch.nn.BatchNorm2d', () => {
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

  it('has PyTorch state-dict keys', () => {
    expect(Object.keys(new BatchNorm2d(3).stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
  });

  it('wants 4-D input and names a channel mismatch', () => {
    expect(() => new BatchNorm2d(3).forward(tf.ones([2, 3]))).toThrow(/BatchNorm2d expects a 4D input/);
    expect(() => new BatchNorm2d(3).forward(tf.ones([2, 4, 2, 2]))).toThrow(/BatchNorm2d\(3\) got 4 channels/);
  });
});
