import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import * as F from '../../../sdk/functional/index';

beforeAll(ready);

const logits = () => tf.tensor2d([2, -1, 0.5, 0, 3, 1, -2, 0.25, 1, 1, 1, 1], [3, 4]);

describe('class-index targets', () => {
  it.each([
    ['a fraction', [0, 0.5, 1], /target 0.5 at targets\[1\] is not a class index/],
    ['C itself', [0, 1, 4], /target 4 at targets\[2\].*integers in \[0, 4\) or ignoreIndex \(-100\)/],
    ['a negative index other than ignoreIndex', [-1, 1, 2], /target -1 at targets\[0\]/],
    ['NaN', [0, Number.NaN, 2], /target NaN at targets\[1\]/],
  ])('refuse %s with an ArgumentError naming the value and where it is', (_, targets, message) => {
    for (const loss of [F.crossEntropy, F.nllLoss]) {
      expect(() => loss(logits(), targets)).toThrow(ArgumentError);
      expect(() => loss(logits(), tf.tensor1d(targets))).toThrow(message);
    }
  });

  it('name the position of a bad target of a K-dimensional input as [n, d1, …]', () => {
    const targets = tf.tensor3d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2.5], [2, 2, 3]);
    expect(() => F.crossEntropy(tf.zeros([2, 3, 2, 3]), targets)).toThrow(/target 2.5 at targets\[1, 1, 2\]/);
  });

  it('accept integer-valued float32 tensors (tfjs’s default dtype) and host arrays alike, bit for bit', () => {
    const value = (targets: tf.Tensor | number[]) => F.crossEntropy(logits(), targets).dataSync()[0];
    expect(value(tf.tensor1d([3, 0, 2]))).toBe(value([3, 0, 2]));
    expect(value(tf.tensor1d([3, 0, 2], 'int32'))).toBe(value([3, 0, 2]));
  });

  it('give NaN for the mean when every target is ignored (0/0, as PyTorch)', () => {
    expect(F.crossEntropy(logits(), [-100, -100, -100]).dataSync()[0]).toBeNaN();
    expect(Math.abs(F.crossEntropy(logits(), [-100, -100, -100], { reduction: 'sum' }).dataSync()[0])).toBe(0);
  });

  it('refuse targets of the wrong shape, saying which shape is needed', () => {
    expect(() => F.crossEntropy(logits(), tf.tensor2d([0, 1, 2], [3, 1]))).toThrow(
      /input \[3,4\] needs class-index targets of shape \[3\].*got shape \[3,1\]/,
    );
    expect(() => F.nllLoss(tf.zeros([2, 3, 5]), [0, 1])).toThrow(/shape \[2,5\] \(10 values\), got 2 values/);
  });
});

describe('loss options', () => {
  it('refuse a class weight of the wrong length', () => {
    expect(() => F.crossEntropy(logits(), [0, 1, 2], { weight: [1, 2, 3] })).toThrow(
      /weight must have one value per class, \[4\], got shape \[3\]/,
    );
  });

  it.each([-0.1, 1.5, Number.NaN])('refuse labelSmoothing %s', (labelSmoothing) => {
    expect(() => F.crossEntropy(logits(), [0, 1, 2], { labelSmoothing })).toThrow(/labelSmoothing must be in \[0, 1\]/);
  });

  it('refuse an unknown reduction, naming the three', () => {
    const options = { reduction: 'average' as never };
    for (const call of [
      () => F.crossEntropy(logits(), [0, 1, 2], options),
      () => F.mseLoss(logits(), logits(), options),
      () => F.binaryCrossEntropyWithLogits(logits(), logits(), options),
    ]) {
      expect(call).toThrow(/reduction must be 'none', 'mean' or 'sum', got "average"/);
    }
  });

  it('refuse integer probability targets of the input’s shape', () => {
    expect(() => F.crossEntropy(logits(), tf.zeros([3, 4], 'int32'))).toThrow(
      /class probabilities and must be float32/,
    );
  });

  it('refuse an element-wise target of another shape rather than broadcast it', () => {
    expect(() => F.mseLoss(tf.zeros([4, 1]), tf.zeros([4]))).toThrow(
      /target shape \[4\] differs from input shape \[4,1\].*squeeze the output/,
    );
    const posWeight = tf.ones([4]);
    expect(() => F.binaryCrossEntropyWithLogits(tf.zeros([4, 3]), tf.zeros([4, 3]), { posWeight })).toThrow(
      /posWeight of shape \[4\] does not broadcast to the input's \[4,3\]/,
    );
  });

  it('take an integer regression target as float32', () => {
    expect(F.l1Loss(tf.tensor1d([1.5, 2]), tf.tensor1d([1, 3], 'int32')).dataSync()[0]).toBeCloseTo(0.75, 6);
  });

  it('refuse a binaryCrossEntropy input outside [0, 1], pointing to the logits version', () => {
    expect(() => F.binaryCrossEntropy(tf.tensor1d([0.5, 1.2]), tf.tensor1d([1, 0]))).toThrow(
      /input 1.2000000476837158 at flat index 1 is not a probability.*binaryCrossEntropyWithLogits/,
    );
  });

  it('refuse a softmax dim the input does not have, and integer scores', () => {
    expect(() => F.softmax(tf.zeros([2, 3]), 2)).toThrow(/dim 2 is not an axis.*dims -2…1/);
    expect(() => F.logSoftmax(tf.zeros([2, 3], 'int32'), 1)).toThrow(/needs float32 scores, got int32/);
  });
});

describe('memory', () => {
  /** Each makes its constants (targets, weights) first and returns the loss of x over them. */
  const losses: [string, () => (x: tf.Tensor) => tf.Scalar][] = [
    ['crossEntropy', () => (x) => F.crossEntropy(x, [0, 1, 2])],
    ['crossEntropy with tensor targets, smoothing and weights', () => {
      const targets = tf.tensor1d([0, -100, 2]);
      return (x) => F.crossEntropy(x, targets, { labelSmoothing: 0.1, weight: [1, 2, 3, 4] });
    }],
    ['crossEntropy with probabilities', () => {
      const [targets, weight] = [tf.softmax(logits()), tf.tensor1d([1, 2, 3, 4])];
      return (x) => F.crossEntropy(x, targets, { reduction: 'sum', weight });
    }],
    ['nllLoss', () => (x) => F.nllLoss(x, [0, -100, 2], { reduction: 'sum' })],
    ['mseLoss with integer targets', () => {
      const targets = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3], [3, 4], 'int32');
      return (x) => F.mseLoss(x, targets);
    }],
    ['l1Loss', () => {
      const targets = tf.ones([3, 4]);
      return (x) => F.l1Loss(x, targets, { reduction: 'sum' });
    }],
    ['binaryCrossEntropyWithLogits', () => {
      const [targets, posWeight, weight] = [tf.ones([3, 4]), tf.ones([4]), tf.ones([3, 1])];
      return (x) => F.binaryCrossEntropyWithLogits(x, targets, { posWeight, weight });
    }],
    ['binaryCrossEntropy', () => {
      const targets = tf.zeros([3, 4]);
      return (x) => F.binaryCrossEntropy(x, targets);
    }],
  ];

  it.each(losses)('%s leaves nothing behind but its result, with and without a gradient tape', (_, make) => {
    const x = tf.variable(tf.sigmoid(logits()));
    const loss = make();
    const before = tf.memory().numTensors;
    loss(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const { value, grads } = tf.variableGrads(() => loss(x), [x]);
    tf.dispose([value, grads[x.name]]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
