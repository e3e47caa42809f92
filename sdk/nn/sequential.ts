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
      // In eval mode, a run of Linear layers passes rows on as [1, N, features], the shape their product's kernel
      // takes: each layer then needs no reshape in or out, only the run's ends do (half the kernels of an MLP's
      // prediction, where each kernel's fixed cost outweighs its arithmetic).
      let lifted = false;
      for (let i = 0; i < this.layers.length; i++) {
        const layer = this.layers[i];
        const linear = plain(layer, Linear);
        if (linear && !layer.training && !lifted && h.rank === 2) {
          h = tf.reshape(h, [1, ...h.shape]);
          lifted = true;
        } else if (lifted && !linear) {
          h = tf.reshape(h, h.shape.slice(1));
          lifted = false;
        }
        if (linear && plain(this.layers[i + 1], ReLU)) {
          h = layer.forward(h, 'relu');
          i++;
        } else {
          h = layer.forward(h);
        }
      }
      return lifted ? tf.reshape(h, h.shape.slice(1)) : h;
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
