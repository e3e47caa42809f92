import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Adam, AdamW } from '../../../sdk/optim/adam';
import { RMSprop } from '../../../sdk/optim/rmsprop';
import { SGD } from '../../../sdk/optim/sgd';
import { torchFixture } from '../../helpers/fixtures';
import { fixtureParams, replay, type Trajectory } from './replay';

beforeAll(ready);

const api = torchFixture('optimizer_api.json');

function run(make: (params: tf.Variable[]) => { step(): void; dispose(): void }, c: Trajectory): void {
  const params = fixtureParams(c.params);
  const optimizer = make(params);
  replay(optimizer as never, params, c.steps);
  optimizer.dispose();
}

describe('optim.SGD follows torch.optim.SGD step by step', () => {
  it.each<Trajectory>(torchFixture('sgd.json').cases)('$name', (c) => {
    const { lr, momentum, dampening, nesterov, weight_decay } = c.config;
    run((params) => new SGD(params, { lr, momentum, dampening, nesterov, weightDecay: weight_decay }), c);
  });

  it('skips a parameter whose grad is null, keeping its momentum for later steps', () => {
    const c: Trajectory = api.skips;
    run((params) => new SGD(params, { lr: c.config.lr, momentum: c.config.momentum }), c);
  });

  it('rejects nesterov without momentum, as PyTorch does', () => {
    expect(() => new SGD([tf.variable(tf.zeros([1]))], { lr: 0.1, nesterov: true })).toThrow(
      /Nesterov momentum requires a momentum/,
    );
  });

  it('rejects a negative learning rate, and an empty parameter list', () => {
    expect(() => new SGD([tf.variable(tf.zeros([1]))], { lr: -1 })).toThrow(/lr must be/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
  });
});

describe('optim.Adam and optim.AdamW follow torch.optim step by step', () => {
  it.each<Trajectory>(torchFixture('adam.json').cases)('Adam $name', (c) => {
    const { lr, betas, eps, weight_decay } = c.config;
    run((params) => new Adam(params, { lr, betas, eps, weightDecay: weight_decay }), c);
  });

  it.each<Trajectory & { class: string }>(api.cases.filter((c: any) => c.class !== 'RMSprop'))('$class $name', (c) => {
    const { lr, betas, eps, weight_decay, amsgrad } = c.config;
    const Class = c.class === 'AdamW' ? AdamW : Adam;
    run((params) => new Class(params, { lr, betas, eps, weightDecay: weight_decay, amsgrad }), c);
  });

  it("AdamW's default weight decay is PyTorch's 1e-2, Adam's 0", () => {
    const w = [tf.variable(tf.zeros([1]))];
    expect(new AdamW(w).config).toMatchObject({ name: 'AdamW', lr: 1e-3, weightDecay: 1e-2, amsgrad: false });
    expect(new Adam(w).config).toMatchObject({ name: 'Adam', lr: 1e-3, weightDecay: 0 });
  });

  it('rejects a beta of 1', () => {
    expect(() => new Adam([tf.variable(tf.zeros([1]))], { betas: [0.9, 1] })).toThrow(
      /Invalid beta parameter at index 1/,
    );
  });

  it('keeps no tensors after dispose', () => {
    const w = Object.assign(tf.variable(tf.ones([3])), { grad: null as tf.Tensor | null });
    const before = tf.memory().numTensors;
    const optimizer = new Adam([w], { amsgrad: true });
    for (let i = 0; i < 3; i++) {
      w.grad = tf.ones([3]);
      optimizer.step();
      optimizer.zeroGrad();
    }
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('optim.RMSprop follows torch.optim.RMSprop step by step', () => {
  it.each<Trajectory>(api.cases.filter((c: any) => c.class === 'RMSprop'))('$name', (c) => {
    const { lr, alpha, eps, weight_decay, momentum, centered } = c.config;
    run((params) => new RMSprop(params, { lr, alpha, eps, weightDecay: weight_decay, momentum, centered }), c);
  });
});

describe('zeroGrad', () => {
  it("sets every parameter's grad to null and frees it", () => {
    const params = [tf.variable(tf.ones([2])), tf.variable(tf.ones([3]))];
    const optimizer = new SGD(params, { lr: 0.1 });
    const before = tf.memory().numTensors;
    for (const p of optimizer.paramGroups[0].params) p.grad = tf.ones(p.shape);
    optimizer.zeroGrad();
    expect(optimizer.paramGroups[0].params.map((p) => p.grad)).toEqual([null, null]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
