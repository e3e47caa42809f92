import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from './activation';
import { Linear } from './linear';
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

  /**
   * A Linear followed by a ReLU runs as one linear op with the activation inside (same values): one tape node and
   * one saved tensor fewer per pair in a training step. Only the classes themselves are paired, never a subclass
   * nor a module whose forward was replaced (nn.summary and graph tracing record each module's call that way).
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < this.layers.length; i++) {
        const layer = this.layers[i];
        if (plain(layer, Linear) && plain(this.layers[i + 1], ReLU)) {
          h = layer.forward(h, 'relu');
          i++;
        } else {
          h = layer.forward(h);
        }
      }
      return h;
    });
  }

  override spec(): ModuleSpec {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.spec()) };
  }
}

/** Whether `module` is an instance of exactly `type`, running that class's own forward. */
function plain<T extends Module>(module: Module | undefined, type: new (...args: never[]) => T): module is T {
  return module?.constructor === type && !Object.hasOwn(module, 'forward');
}
