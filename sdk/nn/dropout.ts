import type * as tf from '@tensorflow/tfjs-core';
import { dropout } from '../functional/dropout';
import { ArgumentError } from '../errors';
import type { Generator } from '../random';
import { Module, type ModuleSpec } from './module';

/** Inverted dropout while training, identity in eval mode (see F.dropout). Any shape. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    private readonly generator?: Generator,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override spec(): ModuleSpec {
    return { type: 'Dropout', p: this.p };
  }
}
