import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Adam } from '../../../sdk/optim/adam';
import type { Optimizer, OptimizerStateDict } from '../../../sdk/optim/optimizer';
import { SGD } from '../../../sdk/optim/sgd';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';
import { fixtureParams, replay } from './replay';

beforeAll(ready);

const resume: any[] = torchFixture('optimizer_api.json').resume;
const build: Record<string, (params: tf.Variable[]) => Optimizer> = {
  sgd_two_groups: ([w, b]) =>
    new SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }),
  adam: (params) => new Adam(params, { lr: 0.01, weightDecay: 1e-3 }),
};

/** The fixture's state dict (JSON) as loadStateDict takes it: tensors for the tensor entries. */
function fromTorch(dict: any): OptimizerStateDict {
  const state = Object.fromEntries(
    Object.entries(dict.state).map(([i, entries]: any) => [
      i,
      Object.fromEntries(
        Object.entries(entries).map(([k, v]: any) => [k, typeof v === 'object' && v ? fromFixture(v) : v]),
      ),
    ]),
  );
  return { state, param_groups: dict.param_groups };
}

describe.each(resume)('optimizer state dict: $name', (c) => {
  it("after two steps holds PyTorch's state and param_groups", () => {
    const params = fixtureParams(c.params);
    const optimizer = build[c.name](params);
    replay(optimizer, params, c.steps.slice(0, 2));
    const dict = optimizer.stateDict();
    const expected = c.state_dict_after_2;
    expect(dict.param_groups).toEqual(expected.param_groups.map((g: any) => expect.objectContaining(g)));
    expect(Object.keys(dict.state)).toEqual(Object.keys(expected.state));
    for (const [i, entries] of Object.entries<any>(expected.state)) {
      for (const [key, value] of Object.entries<any>(entries)) {
        const ours = (dict.state as any)[i][key];
        if (typeof value === 'number') expect(ours).toBe(value);
        else expectClose(ours, value, { atol: 1e-6 });
      }
    }
  });

  it('resumes training: a fresh optimiser loading it takes the same later steps as the original', () => {
    const params = fixtureParams(c.params);
    const first = build[c.name](params);
    replay(first, params, c.steps.slice(0, 2));
    const dict = first.stateDict();
    first.dispose();
    const second = build[c.name](params);
    second.lr = 123; // replaced by the state dict's rates
    second.loadStateDict(dict);
    tf.dispose(
      Object.values(dict.state)
        .flatMap((s) => Object.values(s))
        .filter((v) => v instanceof tf.Tensor) as tf.Tensor[],
    );
    replay(second, params, c.steps.slice(2));
  });

  it("resumes from PyTorch's own state dict", () => {
    const params = fixtureParams(c.params);
    c.steps[1].params.forEach((p: any, i: number) => params[i].assign(fromFixture(p)));
    const optimizer = build[c.name](params);
    optimizer.loadStateDict(fromTorch(c.state_dict_after_2));
    replay(optimizer, params, c.steps.slice(2));
  });
});

describe('loadStateDict refuses, changing nothing', () => {
  const dictOf = (optimizer: Optimizer, grads: number[][]) => {
    optimizer.paramGroups.flatMap((g) => g.params).forEach((p, i) => (p.grad = tf.tensor(grads[i], p.shape)));
    optimizer.step();
    return optimizer.stateDict();
  };

  it('state from another kind of optimiser', () => {
    const w = [tf.variable(tf.zeros([2]))];
    const sgd = new SGD(w, { lr: 0.1, momentum: 0.9 });
    expect(() => sgd.loadStateDict(dictOf(new Adam(w), [[1, 2]]))).toThrow(/"step", which SGD does not keep/);
  });

  it('a different number of parameters, or of groups', () => {
    const dict = dictOf(new SGD([tf.variable(tf.zeros([2]))], { lr: 0.1, momentum: 0.9 }), [[1, 2]]);
    const two = new SGD([tf.variable(tf.zeros([2])), tf.variable(tf.zeros([2]))], { lr: 0.1 });
    expect(() => two.loadStateDict(dict)).toThrow(
      /parameter group 0 of the state dict has 1 parameters, this SGD's has 2/,
    );
    const grouped = new SGD([{ params: [tf.variable(tf.zeros([2]))] }, { params: [tf.variable(tf.zeros([2]))] }], {
      lr: 0.1,
    });
    expect(() => grouped.loadStateDict(dict)).toThrow(/has 1 parameter groups, this SGD has 2/);
  });

  it('a buffer whose shape is not its parameter’s, keeping the old state and rate', () => {
    const w = tf.variable(tf.zeros([3]));
    const optimizer = new SGD([w], { lr: 0.5, momentum: 0.9 });
    const before = dictOf(optimizer, [[1, 1, 1]]);
    const bad = dictOf(new SGD([tf.variable(tf.zeros([2]))], { lr: 0.1, momentum: 0.9 }), [[1, 2]]);
    expect(() => optimizer.loadStateDict(bad)).toThrow(
      /momentum_buffer for parameter 0 has shape \[2\], the parameter \[3\]/,
    );
    expect(optimizer.lr).toBe(0.5);
    expectClose(optimizer.stateDict().state[0].momentum_buffer as tf.Tensor, {
      shape: [3],
      data: Array.from((before.state[0].momentum_buffer as tf.Tensor).dataSync()),
    });
  });
});
