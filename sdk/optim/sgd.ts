import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Optimizer } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Adds weightDecay·w to each gradient (torch.optim.SGD's weight_decay): the gradient of an L2 penalty
   *  (weightDecay/2)·Σw², so weightDecay = 2λ reproduces F.l2Penalty(params, λ). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with torch.optim.SGD's exact update, per parameter w with gradient g:
 *   g ← g + weightDecay·w
 *   b ← g on the first step, else momentum·b + (1 − dampening)·g      (only when momentum ≠ 0)
 *   g ← g + momentum·b if nesterov, else b
 *   w ← w − lr·g
 */
export function sgd({ lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SgdOptions): Optimizer {
  requireNonNegative({ lr, momentum, weightDecay });
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new ArgumentError('Nesterov momentum requires a momentum and zero dampening');
  }
  const buffers = new Map<tf.Variable, tf.Tensor>();
  return {
    config: { name: 'sgd', lr, momentum, dampening, nesterov, weightDecay },
    lr,
    step(params, grads) {
      const lr = this.lr;
      tf.tidy(() => {
        params.forEach((w, i) => {
          let g = weightDecay === 0 ? grads[i] : tf.add(grads[i], tf.mul(w, weightDecay));
          if (momentum !== 0) {
            const previous = buffers.get(w);
            const buffer = tf.keep(previous ? tf.add(tf.mul(previous, momentum), tf.mul(g, 1 - dampening)) : tf.clone(g));
            previous?.dispose();
            buffers.set(w, buffer);
            g = nesterov ? tf.add(g, tf.mul(buffer, momentum)) : buffer;
          }
          w.assign(tf.sub(w, tf.mul(g, lr)));
        });
      });
    },
    dispose() {
      for (const buffer of buffers.values()) buffer.dispose();
      buffers.clear();
    },
  };
}

export function requireNonNegative(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new ArgumentError(`${name} must be a finite number ≥ 0, got ${value}`, { argument: name, value });
    }
  }
}
