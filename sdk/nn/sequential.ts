import * as tf from '@tensorflow/tfjs-core';
import { Module, type ModuleSpec } from './module';

/** Runs its modules in order; children are named '0', '1', … so state-dict keys match torch.nn.Sequential's. */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((h, layer) => layer.forward(h), x));
  }

  spec(): ModuleSpec {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.spec()) };
  }
}
