import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { crossEntropy } from '../../../sdk/functional/loss';

beforeAll(ready);

describe('crossEntropy with labels on the host', () => {
  const scores = [2, -1, 0.5, 0, 3, 1, -2, 0.25, 1, 1, 1, 1];
  const lossAndGrad = (labels: tf.Tensor | number[]) => {
    const logits = tf.tensor2d(scores, [3, 4]);
    const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => crossEntropy(z, labels))(logits);
    return [value.dataSync()[0], Array.from(grad.dataSync())];
  };

  it('gives the loss and gradient of the same labels as a tensor, bit for bit', () => {
    expect(lossAndGrad([3, 0, 2])).toEqual(lossAndGrad(tf.tensor1d([3, 0, 2], 'int32')));
    expect(lossAndGrad([3, 0, 2])).toEqual(lossAndGrad(tf.tensor1d([3, 0, 2], 'float32')));
  });

  it('refuses an index outside [0, C), from the host or a tensor, naming it and its position', () => {
    expect(() => lossAndGrad([3, 7, 1])).toThrow(/target 7 at targets\[1\] is not a class index.*\[0, 4\)/);
    expect(() => lossAndGrad(tf.tensor1d([3, 0, -1], 'int32'))).toThrow(/target -1 at targets\[2\]/);
  });

  it('leaves no tensors behind but the loss', () => {
    const logits = tf.tensor2d(scores, [3, 4]);
    const before = tf.memory().numTensors;
    crossEntropy(logits, [1, 2, 3]).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
