import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { kernels } from '../functional/differentiable';
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
      tf.tidy(() => {
        // Each hyper-parameter becomes one scalar tensor per step (a number operand would be uploaded on every use)
        // and the kernels are called directly (see kernels): same arithmetic as tf.add / tf.mul / tf.sub.
        const { add, sub, mul } = kernels;
        const lr = tf.scalar(this.lr);
        const decay = weightDecay === 0 ? null : tf.scalar(weightDecay);
        const [factor, damping] = momentum === 0 ? [null, null] : [tf.scalar(momentum), tf.scalar(1 - dampening)];
        params.forEach((w, i) => {
          let g = decay ? add(grads[i], mul(w, decay)) : grads[i];
          if (factor && damping) {
            const previous = buffers.get(w);
            const buffer = tf.keep(previous ? add(mul(previous, factor), mul(g, damping)) : tf.clone(g));
            previous?.dispose();
            buffers.set(w, buffer);
            g = nesterov ? add(g, mul(buffer, factor)) : buffer;
          }
          w.assign(sub(w, mul(g, lr)));
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
