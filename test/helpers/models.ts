// Models several tests train or inspect, written as their authors would.
import type * as tf from '@tensorflow/tfjs-core';
import { relu } from '../../sdk/functional/activation';
import * as nn from '../../sdk/nn/index';

/** The course's model, as DESIGN.md writes it: fields assigned in the constructor register themselves. */
export class PhonePriceModel extends nn.Module {
  linear1: nn.Linear;
  linear2: nn.Linear;
  output: nn.Linear;
  constructor(inputDim: number, outputDim: number) {
    super();
    this.linear1 = new nn.Linear(inputDim, 128);
    this.linear2 = new nn.Linear(128, 256);
    this.output = new nn.Linear(256, outputDim);
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = relu(this.linear1.forward(x));
    x = relu(this.linear2.forward(x));
    return this.output.forward(x);
  }
}
