import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { kernel, kernels } from '../functional/differentiable';
import type { Optimizer } from './optimizer';
import { requireNonNegative } from './sgd';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Adds weightDecay·w to each gradient before the moments, as torch.optim.Adam (not AdamW's decoupled decay). */
  weightDecay?: number;
}

interface Moments {
  m: tf.Tensor;
  v: tf.Tensor;
  t: number;
}

/**
 * Adam with torch.optim.Adam's exact update (amsgrad off), per parameter w with gradient g at step t:
 *   g ← g + weightDecay·w
 *   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
 *   w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
 */
export function adam({ lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {}): Optimizer {
  const [beta1, beta2] = betas;
  requireNonNegative({ lr, eps, weightDecay });
  for (const [i, beta] of betas.entries()) {
    if (!(beta >= 0 && beta < 1)) throw new ArgumentError(`Invalid beta parameter at index ${i}: ${beta}`);
  }
  const state = new Map<tf.Variable, Moments>();
  return {
    config: { name: 'adam', lr, betas: [beta1, beta2], eps, weightDecay },
    lr,
    step(params, grads) {
      tf.tidy(() => {
        // As in sgd: each constant is one scalar tensor per step, and the kernels are called directly.
        const { add, sub, mul, div } = kernels;
        const scalars = new Map<number, tf.Tensor>();
        const c = (value: number) => scalars.get(value) ?? scalars.set(value, tf.scalar(value)).get(value)!;
        params.forEach((w, i) => {
          const g = weightDecay === 0 ? grads[i] : add(grads[i], mul(w, c(weightDecay)));
          const previous = state.get(w);
          const t = (previous?.t ?? 0) + 1;
          const m = add(mul(previous?.m ?? tf.zerosLike(w), c(beta1)), mul(g, c(1 - beta1)));
          const v = add(mul(previous?.v ?? tf.zerosLike(w), c(beta2)), mul(kernel('Square', { x: g }), c(1 - beta2)));
          const denom = add(div(kernel('Sqrt', { x: v }), c(Math.sqrt(1 - beta2 ** t))), c(eps));
          w.assign(sub(w, mul(div(m, denom), c(this.lr / (1 - beta1 ** t)))));
          previous?.m.dispose();
          previous?.v.dispose();
          state.set(w, { m: tf.keep(m), v: tf.keep(v), t });
        });
      });
    },
    dispose() {
      for (const { m, v } of state.values()) tf.dispose([m, v]);
      state.clear();
    },
  };
}
