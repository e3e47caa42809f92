import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { l1Penalty, l2Penalty } from '../../../sdk/functional/penalty';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const fixture = torchFixture('penalties.json');

beforeAll(ready);

describe('L1 and L2 penalties match PyTorch', () => {
  const penalties = { l1: l1Penalty, l2: l2Penalty };
  it.each(Object.entries(penalties))('%s value and gradients (sign(0) = 0 for L1)', (name, penalty) => {
    const params = fixture.params.map((p: any) => fromFixture(p));
    expectClose(penalty(params, fixture.lambda), fixture[name]);
    const grads = tf.grads((...ps: tf.Tensor[]) => penalty(ps, fixture.lambda))(params);
    grads.forEach((g, i) => expectClose(g, fixture[`${name}_grads`][i], { atol: 1e-7 }));
  });

  it('is zero for no parameters', () => {
    expect(l1Penalty([], 0.1).dataSync()[0]).toBe(0);
  });
});
