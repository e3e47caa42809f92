import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backward } from '../../../sdk/autograd/backward';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { mseLoss } from '../../../sdk/functional/loss_regression';
import { AvgPool2d, BatchNorm2d, Conv2d, Dropout, MaxPool2d, type Module, ReLU, Sequential } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

/** The layers one after the other, outside Sequential.forward: each convolution and pooling in NCHW on its own. */
function layerByLayer(model: Sequential, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => model.layers.reduce((h, layer) => layer.forward(h), x));
}

async function kernelNames(run: () => tf.Tensor): Promise<string[]> {
  const { kernels } = await tf.profile(() => void run().dispose());
  return kernels.map((k) => k.name);
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Batch norm in eval mode with running statistics and affine parameters away from 0 and 1. */
function trainedNorm(channels: number, seed: number): BatchNorm2d {
  const norm = new BatchNorm2d(channels);
  const values = new Generator(seed).uniform(4 * channels, 0.5, 2);
  norm.loadStateDict(
    {
      running_mean: tf.tensor1d(values.slice(0, channels).map((v) => v - 1.2)),
      running_var: tf.tensor1d(values.slice(channels, 2 * channels)),
      weight: tf.tensor1d(values.slice(2 * channels, 3 * channels).map((v) => v - 1.4)),
      bias: tf.tensor1d(values.slice(3 * channels)),
    },
    { strict: false },
  );
  return norm;
}

/**
 * Every layer kind a run can hold, with strides, padding, ceil mode, an average pool whose divisor counts padding,
 * and batch norm with its running statistics.
 */
function mixed(seed: number): Sequential {
  const generator = new Generator(seed);
  return new Sequential(
    new Conv2d(3, 5, 3, { stride: 2, generator }),
    trainedNorm(5, seed),
    new ReLU(),
    new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    new Dropout(0.5),
    new Conv2d(5, 4, [3, 2], { padding: 'same', dilation: [1, 2], generator }),
    new AvgPool2d(2, { padding: 1, countIncludePad: true }),
    new Conv2d(4, 1, 1, { generator }),
    new Conv2d(1, 1, 3, { padding: 'full', generator }),
    new AvgPool2d(2, { ceilMode: true, countIncludePad: false }),
    new Conv2d(1, 2, 1, { generator }),
  ).eval();
}

describe('nn.Sequential in eval mode without a tape: a run of convolutions and poolings in NHWC', () => {
  it('gives the values of its layers run one by one, to the bit', () => {
    const model = mixed(1);
    for (const shape of [[2, 3, 17, 23], [1, 3, 9, 8]]) {
      const x = tf.randomNormal(shape);
      const y = model.forward(x);
      const expected = layerByLayer(model, x);
      expect(y.shape).toEqual(expected.shape);
      expect(values(y), `input [${shape}]`).toEqual(values(expected));
    }
  });

  it('moves the data between layouts at the run’s ends only', async () => {
    const model = mixed(2);
    const x = tf.randomNormal([2, 3, 17, 23]);
    tf.tidy(() => void model.forward(x)); // keeps each filter
    const run = await kernelNames(() => model.forward(x));
    const single = await kernelNames(() => layerByLayer(model, x));
    const transposes = (names: string[]) => names.filter((name) => name === 'Transpose').length;
    expect(transposes(run)).toBe(2);
    expect(transposes(single)).toBeGreaterThan(6);
  });

  it('leaves batch norm without running statistics, a training-mode layer and a subclass to their own forward', async () => {
    const generator = new Generator(3);
    class Tagged extends MaxPool2d {}
    const layers: Module[] = [
      new Conv2d(3, 4, 3, { generator }),
      new MaxPool2d(2),
      new BatchNorm2d(4, { trackRunningStats: false }),
      new Conv2d(4, 4, 3, { padding: 1, generator }),
      new Tagged(2),
    ];
    const model = new Sequential(...layers).eval();
    const x = tf.randomNormal([2, 3, 12, 12]);
    expect(values(model.forward(x))).toEqual(values(layerByLayer(model, x)));
    const names = await kernelNames(() => model.forward(x));
    // Conv + pool as one run (2 moves); the lone Conv2d and the subclass each move on their own (2 + 2).
    expect(names.filter((name) => name === 'Transpose').length).toBe(6);
    layers[1].train();
    expect(values(model.forward(x))).toEqual(values(layerByLayer(model, x)));
  });

  it('rejects an input with the wrong channels in the words of the layer on its own', () => {
    const model = mixed(4);
    const x = tf.zeros([1, 2, 9, 9]);
    const message = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ArgumentError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(() => model.forward(x))).toBe(message(() => model.layers[0].forward(x)));
  });

  it('runs each layer on its own under a gradient tape, so that gradients reach the weights', () => {
    const model = mixed(5);
    const x = tf.randomNormal([1, 3, 15, 15]);
    const loss = backward(() => mseLoss(model.forward(x), tf.zeros([1, 2, 3, 3])));
    expect(loss.dataSync()[0]).toBeCloseTo(mseLoss(layerByLayer(model, x), tf.zeros([1, 2, 3, 3])).dataSync()[0], 6);
    const first = model.layers[0] as Conv2d;
    expect(first.weight.grad?.shape).toEqual([5, 3, 3, 3]);
    expect(tf.any(tf.notEqual(first.weight.grad!, 0)).dataSync()[0]).toBe(1);
  });
});
