import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from './activation';
import { Linear } from './linear';
import { Module, type ModuleSpec } from './module';

/** Runs its modules in order; children are named '0', '1', … so state-dict keys match torch.nn.Sequential's. */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  /** A Linear followed by a ReLU runs as one op (F.linear with its ReLU fused): the same arithmetic, fewer kernels
   *  and one node on the gradient tape instead of two. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < this.layers.length; i++) {
        const layer = this.layers[i];
        if (layer instanceof Linear && this.layers[i + 1] instanceof ReLU) {
          h = layer.forward(h, 'relu');
          i++;
        } else {
          h = layer.forward(h);
        }
      }
      return h;
    });
  }

  spec(): ModuleSpec {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.spec()) };
  }
}
