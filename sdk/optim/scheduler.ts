import { ArgumentError } from '../errors';
import type { Optimizer } from './optimizer';

/** Changes an optimiser's learning rate once per epoch; `step()` is called after each epoch, as in PyTorch. */
export interface Scheduler {
  step(): void;
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR: after epoch t the rate is
 *   ηₜ = η_min + (η₀ − η_min)·(1 + cos(π·t / tMax)) / 2,
 * falling from the optimiser's initial rate η₀ to η_min over tMax epochs.
 */
export function cosineAnnealingLR(optimizer: Optimizer, { tMax, etaMin = 0 }: { tMax: number; etaMin?: number }): Scheduler {
  if (!Number.isInteger(tMax) || tMax < 1) throw new ArgumentError(`tMax must be a positive integer, got ${tMax}`);
  const initial = optimizer.lr;
  let epoch = 0;
  return {
    step() {
      epoch += 1;
      optimizer.lr = etaMin + ((initial - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
    },
  };
}
