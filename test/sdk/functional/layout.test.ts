import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { conv2d, conv2dWithFilter } from '../../../sdk/functional/conv';
import { hwioFilter } from '../../../sdk/functional/convolve';
import { mseLoss } from '../../../sdk/functional/loss_regression';
import { toNchw, toNhwc } from '../../../sdk/functional/layout';
import { avgPool2d, maxPool2d } from '../../../sdk/functional/pool';
import { Conv2d } from '../../../sdk/nn/conv';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

/** Bit for bit, -0 and NaN included. */
function expectIdentical(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const [a, b] = [actual.dataSync(), expected.dataSync()];
  const first = a.findIndex((value, i) => !Object.is(value, b[i]));
  expect(first, `first difference at ${first}: ${a[first]} vs ${b[first]}`).toBe(-1);
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Generator(seed).uniform(shape.reduce((a, b) => a * b, 1), -1, 1), shape);
}

describe('toNhwc and toNchw', () => {
  // Each way of moving (layout.ts): a reshape (one channel, one pixel), the channel-strided copy (few channels, or
  // planes of a multiple of 1024 floats), the plane-strided one (many channels), batched and unbatched.
  const shapes: [string, number[]][] = [
    ['one channel', [2, 1, 5, 7]],
    ['one pixel per channel', [3, 6, 1, 1]],
    ['3 channels', [1, 3, 9, 11]],
    ['8 channels', [2, 8, 5, 6]],
    ['40 channels', [2, 40, 3, 5]],
    ['many channels on 32×32 planes', [1, 48, 32, 32]],
    ['unbatched', [5, 4, 3]],
  ];

  it.each(shapes)('%s: the permutation tf.transpose makes, and back', (_, shape) => {
    const x = seeded(shape, 1);
    const batched = x.rank === 4 ? x : tf.expandDims(x, 0);
    const nhwc = toNhwc(x);
    expectIdentical(nhwc, tf.transpose(batched, [0, 2, 3, 1]));
    expectIdentical(toNchw(nhwc, x.rank), x);
  });
});

describe('nn.Conv2d\'s kept filter', () => {
  const options = { stride: 2, padding: 1 };

  it('gives what the filter made on each call gives', () => {
    const [x, w, b] = [seeded([2, 3, 9, 8], 2), seeded([5, 3, 3, 3], 3), seeded([5], 4)];
    expectIdentical(conv2dWithFilter(x, w, b, options, hwioFilter(w)), conv2d(x, w, b, options));
  });

  it('is made once per weight data in eval mode, made again when the weight changes, dropped by train()', () => {
    const layer = new Conv2d(3, 4, 3, { ...options, generator: new Generator(5) });
    const x = seeded([1, 3, 7, 7], 6);
    const before = tf.memory().numTensors;
    tf.tidy(() => void layer.forward(x));
    expect(tf.memory().numTensors).toBe(before); // training mode keeps nothing
    layer.eval();
    tf.tidy(() => void layer.forward(x));
    tf.tidy(() => void layer.forward(x));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.tidy(() => void layer.weight.assign(tf.neg(layer.weight)));
    tf.tidy(() => expectIdentical(layer.forward(x), conv2d(x, layer.weight, layer.bias, options)));
    expect(tf.memory().numTensors).toBe(before + 1);
    layer.train();
    expect(tf.memory().numTensors).toBe(before);
    layer.eval();
    tf.tidy(() => void layer.forward(x));
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // the weight, the bias and the filter are gone
  });

  it('leaves gradients as they are: through an eval-mode nn.Conv2d they are F.conv2d\'s', () => {
    const layer = new Conv2d(2, 3, 3, { padding: 1, generator: new Generator(8) }).eval();
    const [x, target] = [seeded([2, 2, 5, 5], 9), seeded([2, 3, 5, 5], 10)];
    const parameters = [layer.weight, layer.bias!];
    const { grads } = tf.variableGrads(() => mseLoss(layer.forward(x), target), parameters);
    const reference = () => mseLoss(conv2d(x, layer.weight, layer.bias, { padding: 1 }), target);
    const { grads: expected } = tf.variableGrads(reference, parameters);
    for (const p of parameters) expectIdentical(grads[p.name], expected[p.name]);
    layer.dispose();
  });
});

describe('pooling in NHWC', () => {
  // tfjs pools each channel on its own: pooling the planes [N·C, H, W, 1] is the reference the NHWC forward must match.
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];

  it('gives the values pooling each channel plane gives', () => {
    const x = seeded([2, 6, 9, 9], 10);
    const planes = (t: tf.Tensor) => tf.reshape(t, [12, 9, 9, 1]) as tf.Tensor4D;
    const back = (y: tf.Tensor) => tf.reshape(y, [2, 6, 5, 5]);
    expectIdentical(maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), back(tf.maxPool(planes(x), 3, 2, pad)));
    const counted = avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false });
    expectIdentical(counted, back(tf.avgPool(planes(x), 3, 2, pad)));
  });
});
