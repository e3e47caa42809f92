import type * as tf from '@tensorflow/tfjs-core';
import { relu, sigmoid } from '../functional/activation';
import { Module, type ModuleSpec } from './module';

/** max(0, x), element-wise. Any shape. */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return relu(x);
  }

  override spec(): ModuleSpec {
    return { type: 'ReLU' };
  }
}

/** 1 / (1 + e^−x), element-wise. Any shape. */
export class Sigmoid extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return sigmoid(x);
  }

  override spec(): ModuleSpec {
    return { type: 'Sigmoid' };
  }
}
