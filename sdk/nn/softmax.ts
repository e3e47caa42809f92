import type * as tf from '@tensorflow/tfjs-core';
import { logSoftmax, softmax } from '../functional/softmax';
import { Module } from './module';

/** torch.nn.Softmax(dim): F.softmax(x, dim), the probabilities along `dim` (negative counts from the end). */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return softmax(x, this.dim);
  }
}

/** torch.nn.LogSoftmax(dim): F.logSoftmax(x, dim); before nn.NLLLoss it makes cross-entropy. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return logSoftmax(x, this.dim);
  }
}
