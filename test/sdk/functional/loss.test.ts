import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { crossEntropy } from '../../../sdk/functional/loss';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const { cases } = torchFixture('cross_entropy.json');

beforeAll(ready);

describe('crossEntropy matches torch.nn.functional.cross_entropy', () => {
  it.each<any>(cases)('$name: loss and gradient', (c) => {
    const logits = fromFixture(c.logits);
    const targets = fromFixture(c.targets, 'int32');
    expectClose(crossEntropy(logits, targets), c.loss);
    expectClose(tf.grad((z: tf.Tensor) => crossEntropy(z, targets))(logits), c.grad, { atol: 1e-6 });
  });

  it('accepts plain arrays of class indices', () => {
    const c = cases[0];
    expectClose(crossEntropy(fromFixture(c.logits), c.targets.data), c.loss);
  });

  it('rejects a target count that does not match the batch', () => {
    expect(() => crossEntropy(tf.zeros([3, 4]), [0, 1])).toThrow(
      /needs class-index targets of shape \[3\] \(3 values\), got 2 values/,
    );
  });
});
