import { describe, expect, it } from 'vitest';
import { adam } from '../../../sdk/optim/adam';
import { cosineAnnealingLR } from '../../../sdk/optim/scheduler';
import { torchFixture } from '../../helpers/fixtures';

describe('optim.cosineAnnealingLR', () => {
  it("follows torch.optim.lr_scheduler.CosineAnnealingLR's rates, epoch by epoch", () => {
    const fixture = torchFixture('cosine_schedule.json');
    const optimizer = adam({ lr: fixture.lr });
    const scheduler = cosineAnnealingLR(optimizer, { tMax: fixture.t_max, etaMin: fixture.eta_min });
    for (const expected of fixture.lrs) {
      scheduler.step();
      expect(optimizer.lr).toBeCloseTo(expected, 12);
    }
  });

  it('rejects a non-positive tMax', () => {
    expect(() => cosineAnnealingLR(adam(), { tMax: 0 })).toThrow(/tMax must be a positive integer/);
  });
});
