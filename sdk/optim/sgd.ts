import * as tf from '@tensorflow/tfjs-core';
import { requireNonNegative } from '../checks';
import { ArgumentError } from '../errors';
import { kernels } from '../functional/differentiable';
import { Optimizer, type Params } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** Adds weightDecay·w to each gradient (torch.optim.SGD's weight_decay): the gradient of an L2 penalty
   *  (weightDecay/2)·Σw², so weightDecay = 2λ reproduces F.l2Penalty(params, λ). */
  weightDecay: number;
}

/**
 * torch.optim.SGD: stochastic gradient descent, per parameter w with gradient g = w.grad:
 *   g ← g + weightDecay·w
 *   b ← g on the first step, else momentum·b + (1 − dampening)·g      (only when momentum ≠ 0)
 *   g ← g + momentum·b if nesterov, else b
 *   w ← w − lr·g
 * State per parameter: `momentum_buffer` (b; null without momentum, as PyTorch's None).
 *
 *   const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3, momentum: 0.9 });
 */
export class SGD extends Optimizer<SgdOptions> {
  protected readonly stateKeys = ['momentum_buffer'] as const;

  constructor(
    params: Params<SgdOptions>,
    { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: Partial<SgdOptions> & { lr: number },
  ) {
    super('SGD', params, { lr, momentum, dampening, nesterov, weightDecay });
    for (const { lr, momentum, dampening, nesterov, weightDecay } of this.paramGroups) {
      requireNonNegative({ lr, momentum, weightDecay });
      if (nesterov && (momentum <= 0 || dampening !== 0)) {
        throw new ArgumentError('Nesterov momentum requires a momentum and zero dampening');
      }
    }
  }

  step(): void {
    tf.tidy(() => {
      // Each hyper-parameter becomes one scalar tensor per step (a number operand would be uploaded on every use)
      // and the kernels are called directly (see kernels): same arithmetic as tf.add / tf.mul / tf.sub.
      const { add, sub, mul } = kernels;
      for (const { params, lr, momentum, dampening, nesterov, weightDecay } of this.paramGroups) {
        const rate = tf.scalar(lr);
        const decay = weightDecay === 0 ? null : tf.scalar(weightDecay);
        const [factor, damping] = momentum === 0 ? [null, null] : [tf.scalar(momentum), tf.scalar(1 - dampening)];
        for (const w of params) {
          if (!w.grad) continue;
          let g = decay ? add(w.grad, mul(w, decay)) : w.grad;
          if (factor && damping) {
            const previous = this.state.get(w)?.momentum_buffer as tf.Tensor | null | undefined;
            const buffer = previous ? add(mul(previous, factor), mul(g, damping)) : tf.clone(g);
            this.setState(w, { momentum_buffer: buffer });
            g = nesterov ? add(g, mul(buffer, factor)) : buffer;
          } else {
            this.setState(w, { momentum_buffer: null });
          }
          w.assign(sub(w, mul(g, rate)));
        }
      }
    });
  }
}
