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
  const { loss, correct } = stepOnDevice(model, batch, options);
  const value = loss.dataSync()[0];
  tf.dispose([loss, correct]);
  return value;
}

/** `step` without reading anything back to the host: the loss and the count of correctly classified rows stay
 *  on the backend, so a training loop can add them up and read them once per epoch. */
export function stepOnDevice(
  model: Module,
  { x, y }: Batch,
  { optimizer, l1 = 0, l2 = 0 }: StepOptions,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const params = model.parameters();
  const labels = y instanceof tf.Tensor ? y : tf.tensor1d(Array.from(y), 'int32');
  let logits: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    logits = tf.keep(model.forward(x));
    return crossEntropy(logits, labels);
  }, params);
  // The penalties' gradients are added in closed form rather than taped: same result, fewer ops per step.
  const { loss, correct } = tf.tidy(() => {
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
    const hits = tf.equal(tf.argMax(logits!, 1), tf.cast(labels, 'int32'));
    return { loss: objective as tf.Scalar, correct: tf.sum(tf.cast(hits, 'float32')) as tf.Scalar };
  });
  tf.dispose([logits!, ...Object.values(grads)]);
  if (loss !== value) value.dispose();
  if (labels !== y) labels.dispose();
  return { loss, correct };
}
