import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Sigmoid } from '../../../sdk/nn/activation';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

describe('nn.Sigmoid matches PyTorch (modules.json)', () => {
  const { sigmoid } = torchFixture('modules.json');

  it('forward and input gradient, saturated inputs (±20, ±90) included', () => {
    const layer = new Sigmoid();
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => layer.forward(x))(
      fromFixture(sigmoid.input),
      fromFixture(sigmoid.upstream),
    );
    expectClose(value, sigmoid.output, { atol: 1e-7, rtol: 1e-6 });
    expectClose(grad, sigmoid.input_grad, { atol: 1e-7, rtol: 1e-5 });
  });
});
