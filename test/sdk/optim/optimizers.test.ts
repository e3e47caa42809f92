import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { adam } from '../../../sdk/optim/adam';
import type { Optimizer } from '../../../sdk/optim/optimizer';
import { sgd } from '../../../sdk/optim/sgd';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

function replay(optimizer: Optimizer, c: any): void {
  const params = c.params.map((p: any) => tf.variable(fromFixture(p)));
  for (const step of c.steps) {
    optimizer.step(params, step.grads.map((g: any) => fromFixture(g)));
    params.forEach((p: tf.Variable, i: number) => expectClose(p, step.params[i], { atol: 1e-6 }));
  }
  optimizer.dispose();
}

describe('optim.sgd follows torch.optim.SGD step by step', () => {
  it.each<any>(torchFixture('sgd.json').cases)('$name', (c) => {
    const { lr, momentum, dampening, nesterov, weight_decay } = c.config;
    replay(sgd({ lr, momentum, dampening, nesterov, weightDecay: weight_decay }), c);
  });

  it('rejects nesterov without momentum, as PyTorch does', () => {
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum/);
  });

  it('rejects a negative learning rate', () => {
    expect(() => sgd({ lr: -1 })).toThrow(/lr must be/);
  });
});

describe('optim.adam follows torch.optim.Adam step by step', () => {
  it.each<any>(torchFixture('adam.json').cases)('$name', (c) => {
    const { lr, betas, eps, weight_decay } = c.config;
    replay(adam({ lr, betas, eps, weightDecay: weight_decay }), c);
  });

  it('rejects a beta of 1', () => {
    expect(() => adam({ betas: [0.9, 1] })).toThrow(/Invalid beta parameter at index 1/);
  });

  it('keeps no tensors after dispose', () => {
    const w = tf.variable(tf.ones([3]));
    const before = tf.memory().numTensors;
    const optimizer = adam();
    for (let i = 0; i < 3; i++) tf.tidy(() => optimizer.step([w], [tf.ones([3])]));
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
