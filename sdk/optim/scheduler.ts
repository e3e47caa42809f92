import { ArgumentError } from '../errors';
import type { Optimizer } from './optimizer';

/**
 * The base of the learning-rate schedulers, as torch.optim.lr_scheduler.LRScheduler: built over an optimiser, it
 * remembers each group's initial rate and sets the groups' `lr` from the epoch count on every `step()`, which is
 * called once per epoch, after that epoch's optimiser steps.
 */
export abstract class LRScheduler {
  /** The number of step() calls so far (PyTorch's last_epoch, 0 after construction). */
  lastEpoch = 0;
  /** Each group's rate when the scheduler was made. */
  readonly baseLrs: number[];
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer) {
    this.baseLrs = optimizer.paramGroups.map((group) => group.lr);
    this.lastLr = [...this.baseLrs];
  }

  step(): void {
    this.lastEpoch += 1;
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = this.lrAt(this.lastEpoch, this.baseLrs[i])));
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** The rate of each group set by the last step() (PyTorch's get_last_lr()). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The rate after `epoch` steps for a group that started at `baseLr`. */
  protected abstract lrAt(epoch: number, baseLr: number): number;
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR: after epoch t the rate is
 *   ηₜ = η_min + (η₀ − η_min)·(1 + cos(π·t / tMax)) / 2,
 * falling from each group's initial rate η₀ to η_min over tMax epochs (and rising again after, as PyTorch's does).
 *
 *   const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, { tMax, etaMin = 0 }: { tMax: number; etaMin?: number }) {
    super(optimizer);
    if (!Number.isInteger(tMax) || tMax < 1) throw new ArgumentError(`tMax must be a positive integer, got ${tMax}`);
    this.tMax = tMax;
    this.etaMin = etaMin;
  }

  protected lrAt(epoch: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/**
 * torch.optim.lr_scheduler.StepLR: the rate is multiplied by gamma every stepSize epochs,
 *   ηₜ = η₀·gamma^⌊t / stepSize⌋.
 *
 *   const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, { stepSize, gamma = 0.1 }: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) {
      throw new ArgumentError(`stepSize must be a positive integer, got ${stepSize}`);
    }
    this.stepSize = stepSize;
    this.gamma = gamma;
  }

  protected lrAt(epoch: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
