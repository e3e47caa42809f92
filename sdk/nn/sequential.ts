import * as tf from '@tensorflow/tfjs-core';
import { ReLU } from './activation';
import { Linear } from './linear';
import { kernels } from '../functional/differentiable';
import { linearWeightLeads } from '../functional/linear';
import { linearChain } from '../functional/linear_chain';
import { toNchw, toNhwc } from '../functional/layout';
import { channelsLastRun, plain } from './channels_last';
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
   * Runs the layers in order, some of them together (only the classes themselves, see plain; the values are those of
   * the layers one by one): a Linear followed by a ReLU is one op with the activation inside; a run of Linear layers
   * goes through runLinears; without a gradient tape, a run of convolutions and poolings in eval mode keeps its
   * activations in NHWC between its layers (channelsLastRun).
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < this.layers.length; ) {
        const convolutions = h.rank === 4 && !tf.engine().isTapeOn() ? channelsLastRun(this.layers, i) : [];
        const linears = convolutions.length > 0 ? [] : linearRun(this.layers, i);
        if (convolutions.length > 0) {
          h = toNchw(convolutions.reduce((y, forward) => forward(y), toNhwc(h)), 4);
          i += convolutions.length;
        } else if (linears.length > 0) {
          h = runLinears(linears, h);
          i += linears.reduce((count, { relu }) => count + (relu ? 2 : 1), 0);
        } else {
          h = this.layers[i++].forward(h);
        }
      }
      return h;
    });
  }

  override spec(): ModuleSpec {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.spec()) };
  }
}

interface LinearStep {
  layer: Linear;
  /** A ReLU follows the layer and runs inside its op. */
  relu: boolean;
}

/** The Linear layers from `start` on that are in the first one's mode, each with whether a ReLU follows it. */
function linearRun(layers: readonly Module[], start: number): LinearStep[] {
  const run: LinearStep[] = [];
  for (let i = start; i < layers.length; i++) {
    const layer = layers[i];
    if (!plain(layer, Linear) || layer.training !== layers[start].training) break;
    const relu = plain(layers[i + 1], ReLU);
    run.push({ layer, relu });
    if (relu) i++;
  }
  return run;
}

/**
 * A run of Linear layers on `x`. While a tape records, consecutive layers in training mode whose weight is the left
 * operand of their product (linearWeightLeads) run as one op (linearChain), which passes the activations between
 * them transposed. In eval mode the rows pass between the layers as [1, 1, N, features], the shape their product's
 * kernel takes (see linear()): each layer then needs no reshape in or out, only the run's ends do (half the kernels
 * of an MLP's prediction, where each kernel's fixed cost outweighs its arithmetic).
 */
function runLinears(run: LinearStep[], x: tf.Tensor): tf.Tensor {
  const training = run[0].layer.training;
  const lifted = !training && x.rank === 2;
  const chained = training && x.rank === 2 && x.shape[0] > 0 && tf.engine().isTapeOn();
  let h = lifted ? kernels.reshape(x, [1, 1, ...x.shape]) : x;
  for (let i = 0; i < run.length; ) {
    let end = i;
    while (chained && end < run.length && chains(run, i, end, h) && linearWeightLeads(run[end].layer.weight, x.shape[0])) {
      end++;
    }
    if (end - i > 1) {
      h = linearChain(h, run.slice(i, end).map(({ layer, relu }) => ({ weight: layer.weight, bias: layer.bias, relu })));
      i = end;
    } else {
      h = run[i].layer.forward(h, run[i].relu ? 'relu' : 'linear');
      i++;
    }
  }
  return lifted ? kernels.reshape(h, h.shape.slice(2)) : h;
}

/** Whether layer `k` of a chain starting at `start` on `h` takes the width it is given. One that does not runs on its
 *  own, whose forward says so (ArgumentError). */
function chains(run: LinearStep[], start: number, k: number, h: tf.Tensor): boolean {
  return run[k].layer.inFeatures === (k === start ? h.shape[h.rank - 1] : run[k - 1].layer.outFeatures);
}
