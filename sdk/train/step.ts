import * as tf from '@tensorflow/tfjs-core';
import { backward } from '../autograd/backward';
import { crossEntropy } from '../functional/loss';
import { l1Gradient, l1Penalty, l2Gradient, l2Penalty } from '../functional/penalty';
import type { Module } from '../nn/module';
import type { Parameter } from '../nn/parameter';
import type { Optimizer } from '../optim/optimizer';

export interface Batch {
  /** `[N, features]`, `[N, C, H, W]` images, or any shape the model accepts. */
  x: tf.Tensor;
  /** What the loss compares the model's output with: `[N]` class indices for the default cross-entropy (numbers
   *  are taken as int32 class indices). */
  y: tf.Tensor | ArrayLike<number>;
}

/** A loss: a function of (output, target), such as F.crossEntropy or F.mseLoss, or a loss module (nn.MSELoss …). */
export type Loss =
  | ((output: tf.Tensor, target: tf.Tensor) => tf.Tensor)
  | { forward(output: tf.Tensor, target: tf.Tensor): tf.Tensor };

/** `loss` as a function (the default: cross-entropy, mean over the batch). */
export function lossFunction(loss: Loss = crossEntropy): Exclude<Loss, { forward: unknown }> {
  return typeof loss === 'function' ? loss : (output, target) => loss.forward(output, target);
}

export interface StepOptions {
  /** An optimiser built over the model's parameters, e.g. `new optim.SGD(model.parameters(), { lr: 1e-3 })`. */
  optimizer: Optimizer;
  /** Strength λ of an L1 penalty λ·Σ|w| over all parameters, added to the loss. */
  l1?: number;
  /** Strength λ of an L2 penalty λ·Σw² over all parameters, added to the loss. */
  l2?: number;
  /** The objective, mean over the batch; default cross-entropy against class indices. */
  loss?: Loss;
}

/**
 * One gradient step on one batch — the body of PyTorch's training loop: optimizer.zeroGrad(), loss = the loss
 * (cross-entropy unless given) + penalties, backward, optimizer.step(). Returns the loss (penalties included). The model's
 * train/eval mode is left as it is.
 */
export function step(model: Module, batch: Batch, options: StepOptions): number {
  const { loss, output } = stepKeepingOutput(model, batch, options);
  const value = loss.dataSync()[0];
  tf.dispose([loss, output]);
  return value;
}

/** The step itself; returns the loss and the model's output for the batch (the caller disposes both). */
export function stepKeepingOutput(
  model: Module,
  { x, y }: Batch,
  { optimizer, l1 = 0, l2 = 0, loss: objective }: StepOptions,
): { loss: tf.Scalar; output: tf.Tensor } {
  const lossOf = lossFunction(objective);
  const target = y instanceof tf.Tensor ? y : tf.tensor1d(Int32Array.from(y), 'int32');
  optimizer.zeroGrad();
  let output: tf.Tensor | undefined;
  let value: tf.Scalar;
  try {
    value = backward(() => {
      output = tf.keep(model.forward(x));
      return lossOf(output, target);
    });
  } finally {
    if (target !== y) target.dispose();
  }
  const loss = l1 === 0 && l2 === 0 ? value : addPenalties(model.parameters(), value, l1, l2);
  optimizer.step();
  return { loss, output: output! };
}

/**
 * Adds the penalties' gradients to the parameters' `grad` in closed form (λ·sign(w), 2λ·w: what autograd gives for
 * F.l1Penalty / F.l2Penalty, with fewer ops per step) and returns loss + penalties, disposing `loss`.
 */
function addPenalties(params: tf.Variable[], loss: tf.Scalar, l1: number, l2: number): tf.Scalar {
  return tf.tidy(() => {
    for (const w of params as Parameter[]) {
      let g = w.grad ?? tf.zerosLike(w);
      if (l1 !== 0) g = tf.add(g, l1Gradient(w, l1));
      if (l2 !== 0) g = tf.add(g, l2Gradient(w, l2));
      w.grad?.dispose();
      w.grad = tf.keep(g);
    }
    let objective: tf.Tensor = loss;
    if (l1 !== 0) objective = tf.add(objective, l1Penalty(params, l1));
    if (l2 !== 0) objective = tf.add(objective, l2Penalty(params, l2));
    loss.dispose();
    return objective as tf.Scalar;
  });
}
