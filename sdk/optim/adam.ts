import * as tf from '@tensorflow/tfjs-core';
import { requireNonNegative } from '../checks';
import { ArgumentError } from '../errors';
import { kernel, kernels } from '../functional/differentiable';
import { Optimizer, type Params } from './optimizer';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  /** Adam: adds weightDecay·w to each gradient before the moments. AdamW: shrinks w by lr·weightDecay instead. */
  weightDecay: number;
  /** Divides by the largest second moment seen so far rather than the current one (AMSGrad). */
  amsgrad: boolean;
}

/** Adam's update, shared by Adam and AdamW, which differ in where the weight decay goes (`decoupled`). */
abstract class AdamRule extends Optimizer<AdamOptions> {
  protected readonly stateKeys = ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const;

  protected constructor(
    name: string,
    params: Params<AdamOptions>,
    options: AdamOptions,
    private readonly decoupled: boolean,
  ) {
    super(name, params, options);
    validate(this.paramGroups);
  }

  step(): void {
    tf.tidy(() => {
      // As in SGD: each constant is one scalar tensor per step, and the kernels are called directly.
      const { add, sub, mul, div } = kernels;
      const scalars = new Map<number, tf.Tensor>();
      const c = (value: number) => scalars.get(value) ?? scalars.set(value, tf.scalar(value)).get(value)!;
      for (const {
        params,
        lr,
        betas: [beta1, beta2],
        eps,
        weightDecay,
        amsgrad,
      } of this.paramGroups) {
        for (const w of params) {
          if (!w.grad) continue;
          let g = w.grad;
          let weights: tf.Tensor = w;
          if (weightDecay !== 0 && this.decoupled) weights = mul(w, c(1 - lr * weightDecay));
          else if (weightDecay !== 0) g = add(g, mul(w, c(weightDecay)));
          const previous = this.state.get(w);
          const t = ((previous?.step as number | undefined) ?? 0) + 1;
          const m = add(mul((previous?.exp_avg as tf.Tensor) ?? tf.zerosLike(w), c(beta1)), mul(g, c(1 - beta1)));
          const v = add(
            mul((previous?.exp_avg_sq as tf.Tensor) ?? tf.zerosLike(w), c(beta2)),
            mul(kernel('Square', { x: g }), c(1 - beta2)),
          );
          const vMax = amsgrad ? kernel('Maximum', { a: (previous?.max_exp_avg_sq as tf.Tensor) ?? v, b: v }) : null;
          const denom = add(div(kernel('Sqrt', { x: vMax ?? v }), c(Math.sqrt(1 - beta2 ** t))), c(eps));
          w.assign(sub(weights, mul(div(m, denom), c(lr / (1 - beta1 ** t)))));
          const moments = { step: t, exp_avg: m, exp_avg_sq: v };
          this.setState(w, vMax ? { ...moments, max_exp_avg_sq: vMax } : moments);
        }
      }
    });
  }
}

/**
 * torch.optim.Adam, per parameter w with gradient g = w.grad at its step t (1 on its first update):
 *   g ← g + weightDecay·w
 *   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²                  (m, v start at 0)
 *   v ← max(v_max, v), kept as v_max                                  (only with amsgrad)
 *   w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
 * State per parameter: `step` (t), `exp_avg` (m), `exp_avg_sq` (v), `max_exp_avg_sq` (v_max, with amsgrad).
 *
 *   const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
 */
export class Adam extends AdamRule {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, adamDefaults(options, 0), false);
  }
}

/**
 * torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2). Before Adam's update, with no decay added to g:
 *   w ← w·(1 − lr·weightDecay)
 */
export class AdamW extends AdamRule {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, adamDefaults(options, 1e-2), true);
  }
}

function adamDefaults(
  { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay, amsgrad = false }: Partial<AdamOptions>,
  defaultDecay: number,
): AdamOptions {
  return { lr, betas, eps, weightDecay: weightDecay ?? defaultDecay, amsgrad };
}

function validate(groups: readonly AdamOptions[]): void {
  for (const { lr, betas, eps, weightDecay } of groups) {
    requireNonNegative({ lr, eps, weightDecay });
    for (const [i, beta] of betas.entries()) {
      if (!(beta >= 0 && beta < 1)) throw new ArgumentError(`Invalid beta parameter at index ${i}: ${beta}`);
    }
  }
}
