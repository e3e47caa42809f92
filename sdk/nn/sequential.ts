import * as tf from '@tensorflow/tfjs-core';
import { Module, type ModuleSpec } from './module';

/**
 * Runs its modules in order, each one's output the next one's input, as torch.nn.Sequential. Children are named
 * '0', '1', … so state-dict keys match PyTorch's (`0.weight`, `1.running_mean`).
 */
export class Sequential extends Module {
  /** The modules in order (a plain array, which registers nothing: the constructor registers each by index). */
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((h, layer) => layer.forward(h), x));
  }

  override spec(): ModuleSpec {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.spec()) };
  }
}
