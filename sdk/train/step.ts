import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../functional/loss';
import { l1Gradient, l1Penalty, l2Gradient, l2Penalty } from '../functional/penalty';
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';

export interface Batch {
  /** `[N, features]` (or any shape the model accepts). */
  x: tf.Tensor;
  /** `[N]` integer class labels. */
  y: tf.Tensor | ArrayLike<number>;
}

export interface StepOptions {
  optimizer: Optimizer;
  /** Strength λ of an L1 penalty λ·Σ|w| over all parameters, added to the loss. */
  l1?: number;
  /** Strength λ of an L2 penalty λ·Σw² over all parameters, added to the loss. */
  l2?: number;
}

/**
 * One gradient step on one batch — the body of PyTorch's training loop: forward, loss = cross-entropy (+ penalties),
 * backward, optimizer.step(). Returns the loss (penalties included). The model's train/eval mode is left as it is.
 */
export function step(model: Module, batch: Batch, options: StepOptions): number {
  const { loss, logits } = stepKeepingLogits(model, batch, options);
  const value = loss.dataSync()[0];
  tf.dispose([loss, logits]);
  return value;
}

/**
 * The step itself; returns the loss and the batch's logits (the caller disposes both). Labels given as numbers stay
 * on the host until the loss turns them into one-hot rows.
 */
export function stepKeepingLogits(
  model: Module,
  { x, y }: Batch,
  { optimizer, l1 = 0, l2 = 0 }: StepOptions,
): { loss: tf.Scalar; logits: tf.Tensor } {
  const params = model.parameters();
  let logits: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.forward(x));
    return crossEntropy(logits, y);
  }, params);
  // The penalties' gradients are added in closed form rather than taped: same result, fewer ops per step.
  const loss = tf.tidy(() => {
    const total = params.map((w) => {
      let g = grads[w.name];
      if (l1 !== 0) g = tf.add(g, l1Gradient(w, l1));
      if (l2 !== 0) g = tf.add(g, l2Gradient(w, l2));
      return g;
    });
    let objective: tf.Tensor = value;
    if (l1 !== 0) objective = tf.add(objective, l1Penalty(params, l1));
    if (l2 !== 0) objective = tf.add(objective, l2Penalty(params, l2));
    optimizer.step(params, total);
    return objective as tf.Scalar;
  });
  tf.dispose(Object.values(grads));
  if (loss !== value) value.dispose();
  return { loss, logits: logits! };
}
