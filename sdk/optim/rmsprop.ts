import * as tf from '@tensorflow/tfjs-core';
import { requireNonNegative } from '../checks';
import { kernel, kernels } from '../functional/differentiable';
import { Optimizer, type Params } from './optimizer';

export interface RmspropOptions {
  lr: number;
  /** The smoothing constant of the running mean of g². */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalises by an estimate of the gradient's variance rather than its raw second moment. */
  centered: boolean;
}

/**
 * torch.optim.RMSprop, per parameter w with gradient g = w.grad:
 *   g ← g + weightDecay·w
 *   s ← α·s + (1 − α)·g²                                              (s starts at 0)
 *   a ← α·a + (1 − α)·g;  d ← √(s − a²) + eps                          (centered; a starts at 0)
 *   d ← √s + eps                                                      (otherwise)
 *   b ← momentum·b + g/d;  w ← w − lr·b                               (momentum > 0; b starts at 0)
 *   w ← w − lr·g/d                                                    (otherwise)
 * State per parameter: `step`, `square_avg` (s), `momentum_buffer` (b), `grad_avg` (a).
 *
 *   const optimizer = new optim.RMSprop(model.parameters(), { lr: 1e-2 });
 */
export class RMSprop extends Optimizer<RmspropOptions> {
  protected readonly stateKeys = ['step', 'square_avg', 'momentum_buffer', 'grad_avg'] as const;

  constructor(
    params: Params<RmspropOptions>,
    {
      lr = 1e-2,
      alpha = 0.99,
      eps = 1e-8,
      weightDecay = 0,
      momentum = 0,
      centered = false,
    }: Partial<RmspropOptions> = {},
  ) {
    super('RMSprop', params, { lr, alpha, eps, weightDecay, momentum, centered });
    for (const { lr, alpha, eps, weightDecay, momentum } of this.paramGroups)
      requireNonNegative({ lr, alpha, eps, weightDecay, momentum });
  }

  step(): void {
    tf.tidy(() => {
      // As in SGD: each constant is one scalar tensor per step, and the kernels are called directly.
      const { add, sub, mul, div } = kernels;
      const scalars = new Map<number, tf.Tensor>();
      const c = (value: number) => scalars.get(value) ?? scalars.set(value, tf.scalar(value)).get(value)!;
      for (const { params, lr, alpha, eps, weightDecay, momentum, centered } of this.paramGroups) {
        for (const w of params) {
          if (!w.grad) continue;
          const g = weightDecay === 0 ? w.grad : add(w.grad, mul(w, c(weightDecay)));
          const previous = this.state.get(w);
          const running = (key: string) => (previous?.[key] as tf.Tensor | undefined) ?? tf.zerosLike(w);
          const state: Record<string, tf.Tensor | number> = { step: ((previous?.step as number | undefined) ?? 0) + 1 };
          const s = (state.square_avg = add(
            mul(running('square_avg'), c(alpha)),
            mul(kernel('Square', { x: g }), c(1 - alpha)),
          ));
          let variance = s;
          if (centered) {
            const a = (state.grad_avg = add(mul(running('grad_avg'), c(alpha)), mul(g, c(1 - alpha))));
            variance = sub(s, kernel('Square', { x: a }));
          }
          const scaled = div(g, add(kernel('Sqrt', { x: variance }), c(eps)));
          const update =
            momentum > 0 ? (state.momentum_buffer = add(mul(running('momentum_buffer'), c(momentum)), scaled)) : scaled;
          w.assign(sub(w, mul(update, c(lr))));
          this.setState(w, state);
        }
      }
    });
  }
}
