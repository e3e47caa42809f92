import type * as tf from '@tensorflow/tfjs-core';
import { reshape } from '../functional/reshape';
import { ArgumentError } from '../errors';
import { Module, type ModuleSpec } from './module';

/** Merges dimensions startDim..endDim into one, as torch.nn.Flatten (default: all but the batch dimension). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    const start = this.startDim < 0 ? x.rank + this.startDim : this.startDim;
    const end = this.endDim < 0 ? x.rank + this.endDim : this.endDim;
    if (start < 0 || end >= x.rank || start > end) {
      throw new ArgumentError(
        `Flatten(startDim=${this.startDim}, endDim=${this.endDim}) does not fit an input of rank ${x.rank}`,
      );
    }
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }

  override spec(): ModuleSpec {
    return { type: 'Flatten', startDim: this.startDim, endDim: this.endDim };
  }
}
