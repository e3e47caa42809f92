import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Adam } from '../../../sdk/optim/adam';
import { CosineAnnealingLR, StepLR } from '../../../sdk/optim/scheduler';
import { SGD } from '../../../sdk/optim/sgd';
import { torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

const params = () => [tf.variable(tf.zeros([1]))];

describe('optim.lrScheduler.CosineAnnealingLR', () => {
  it("follows torch.optim.lr_scheduler.CosineAnnealingLR's rates, epoch by epoch", () => {
    const fixture = torchFixture('cosine_schedule.json');
    const optimizer = new Adam(params(), { lr: fixture.lr });
    const scheduler = new CosineAnnealingLR(optimizer, { tMax: fixture.t_max, etaMin: fixture.eta_min });
    for (const expected of fixture.lrs) {
      scheduler.step();
      expect(optimizer.lr).toBeCloseTo(expected, 12);
      expect(scheduler.getLastLr()[0]).toBe(optimizer.lr);
    }
  });

  it('rejects a non-positive tMax', () => {
    expect(() => new CosineAnnealingLR(new Adam(params()), { tMax: 0 })).toThrow(/tMax must be a positive integer/);
  });
});

describe('optim.lrScheduler.StepLR', () => {
  it("follows torch.optim.lr_scheduler.StepLR's rates, epoch by epoch", () => {
    const { lr, step_size, gamma, lrs } = torchFixture('optimizer_api.json').step_lr;
    const optimizer = new SGD(params(), { lr });
    const scheduler = new StepLR(optimizer, { stepSize: step_size, gamma });
    expect(scheduler.getLastLr()).toEqual([lr]);
    const seen = lrs.map(() => (scheduler.step(), scheduler.getLastLr()[0]));
    seen.forEach((rate: number, i: number) => expect(rate).toBeCloseTo(lrs[i], 12));
    expect(optimizer.lr).toBe(seen.at(-1));
  });

  it('schedules each parameter group from its own initial rate', () => {
    const optimizer = new SGD([{ params: params() }, { params: params(), lr: 0.01 }], { lr: 0.1 });
    const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
    scheduler.step();
    expect(scheduler.getLastLr()).toEqual([0.05, 0.005]);
  });
});
