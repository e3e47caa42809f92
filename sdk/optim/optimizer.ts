import type * as tf from '@tensorflow/tfjs-core';

/**
 * Updates parameters from their gradients. An optimiser keeps its state (momentum buffers, Adam's moments) per
 * parameter across calls, as a torch.optim optimiser does, so one object must serve one model's whole training.
 */
export interface Optimizer {
  /** The name and hyper-parameters, as recorded in a bundle's training config. */
  readonly config: { readonly name: string; readonly [option: string]: unknown };
  step(params: readonly tf.Variable[], grads: readonly tf.Tensor[]): void;
  /** Frees the per-parameter state. */
  dispose(): void;
}
