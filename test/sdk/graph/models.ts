// Models written as users write them (DESIGN.md, "User-written models"): nn.Module subclasses whose forward calls
// layers, F ops and plain tfjs ops. Shared by the Node tests and the Worker test (test/worker/traced.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import * as F from '../../../sdk/functional/index';
import { ReLU } from '../../../sdk/nn/activation';
import { BatchNorm2d } from '../../../sdk/nn/batchnorm';
import { Conv2d } from '../../../sdk/nn/conv';
import { Dropout } from '../../../sdk/nn/dropout';
import { Flatten } from '../../../sdk/nn/flatten';
import { Linear } from '../../../sdk/nn/linear';
import { Module } from '../../../sdk/nn/module';
import { MaxPool2d } from '../../../sdk/nn/pool';
import { Generator } from '../../../sdk/random';

/** DESIGN.md's PhonePriceModel, line for line, with seeded weights. */
export class PhonePriceModel extends Module {
  linear1: Linear;
  linear2: Linear;
  output: Linear;
  constructor(inputDim: number, outputDim: number, seed = 1) {
    super();
    const generator = new Generator(seed);
    this.linear1 = new Linear(inputDim, 128, { generator });
    this.linear2 = new Linear(128, 256, { generator });
    this.output = new Linear(256, outputDim, { generator });
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = F.relu(this.linear1.forward(x));
    x = F.relu(this.linear2.forward(x));
    return this.output.forward(x);
  }
}

/** A small CNN for [N, 1, 8, 8] images and 3 classes: Conv2d-BatchNorm2d-ReLU-MaxPool2d-Flatten-Dropout-Linear. */
export class SmallCnn extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;
  relu: ReLU;
  pool: MaxPool2d;
  flatten: Flatten;
  dropout: Dropout;
  fc: Linear;
  constructor(seed = 2) {
    super();
    const generator = new Generator(seed);
    this.conv = new Conv2d(1, 4, 3, { padding: 1, generator });
    this.bn = new BatchNorm2d(4);
    this.relu = new ReLU();
    this.pool = new MaxPool2d(2);
    this.flatten = new Flatten();
    this.dropout = new Dropout(0.25, new Generator(seed + 1));
    this.fc = new Linear(4 * 4 * 4, 3, { generator });
    // One training-mode pass moves the batch-norm statistics off 0 and 1, so that a bundle has them to carry.
    tf.tidy(() => this.forward(images(6, seed + 2)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = this.pool.forward(this.relu.forward(this.bn.forward(this.conv.forward(x))));
    return this.fc.forward(this.dropout.forward(this.flatten.forward(x)));
  }
}

/** A residual block with plain tfjs ops between the layers: tf.add, tf.mul by a constant, tf.reshape. */
export class Residual extends Module {
  a: Linear;
  b: Linear;
  constructor() {
    super();
    this.a = new Linear(6, 6, { generator: new Generator(5) });
    this.b = new Linear(6, 4, { generator: new Generator(6) });
  }
  forward(x: tf.Tensor): tf.Tensor {
    const h = tf.add(x, tf.mul(F.sigmoid(this.a.forward(x)), 0.5));
    const flat = tf.reshape(tf.reshape(h, [x.shape[0], 2, 3]), [x.shape[0], -1]);
    return tf.concat([this.b.forward(flat), F.softmax(flat, -1)], 1);
  }
}

/** `count` seeded images `[count, 1, 8, 8]` with values in [0, 1). */
export function images(count: number, seed = 7): tf.Tensor4D {
  return tf.tensor4d(new Generator(seed).uniform(count * 64, 0, 1), [count, 1, 8, 8]);
}

/** `count` seeded rows of `width` values in [−2, 2). */
export function rows(count: number, width: number, seed = 8): tf.Tensor2D {
  return tf.tensor2d(new Generator(seed).uniform(count * width, -2, 2), [count, width]);
}
