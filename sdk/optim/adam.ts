import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
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
      const lr = this.lr;
      tf.tidy(() => {
        params.forEach((w, i) => {
          const g = weightDecay === 0 ? grads[i] : tf.add(grads[i], tf.mul(w, weightDecay));
          const previous = state.get(w);
          const t = (previous?.t ?? 0) + 1;
          const m = tf.add(tf.mul(previous?.m ?? tf.zerosLike(w), beta1), tf.mul(g, 1 - beta1));
          const v = tf.add(tf.mul(previous?.v ?? tf.zerosLike(w), beta2), tf.mul(tf.square(g), 1 - beta2));
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps);
          w.assign(tf.sub(w, tf.mul(tf.div(m, denom), lr / (1 - beta1 ** t))));
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
