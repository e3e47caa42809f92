import type * as tf from '@tensorflow/tfjs-core';

/**
 * Updates parameters from their gradients. An optimiser keeps its state (momentum buffers, Adam's moments) per
 * parameter across calls, as a torch.optim optimiser does, so one object must serve one model's whole training.
 */
export interface Optimizer {
  /** The name and hyper-parameters, as recorded in a bundle's training config. */
  readonly config: { readonly name: string; readonly [option: string]: unknown };
  /** The learning rate the next step uses; schedulers change it between epochs (PyTorch's param_groups[0]['lr']). */
  lr: number;
  step(params: readonly tf.Variable[], grads: readonly tf.Tensor[]): void;
  /** Frees the per-parameter state. */
  dispose(): void;
}
