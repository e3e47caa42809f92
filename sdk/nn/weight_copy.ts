import * as tf from '@tensorflow/tfjs-core';

/**
 * A tensor made from a weight, kept for as long as the weight's data stays the same: a layer in eval mode computes
 * with it on every call instead of making it anew. (An optimiser step or loadStateDict gives the weight new data,
 * and the next call makes a new copy.) A module makes one with Module.evalCopy, which drops it when the module is
 * put in training mode, whose steps change the weight every time, and when it is disposed.
 */
export class WeightCopy<T extends tf.Tensor> {
  private kept: { source: object; copy: T } | undefined;

  constructor(private readonly make: (weight: tf.Tensor) => T) {}

  of(weight: tf.Tensor): T {
    if (this.kept?.source !== weight.dataId) {
      this.drop();
      this.kept = { source: weight.dataId, copy: tf.keep(tf.tidy(() => this.make(weight))) };
    }
    return this.kept.copy;
  }

  drop(): void {
    this.kept?.copy.dispose();
    this.kept = undefined;
  }
}
