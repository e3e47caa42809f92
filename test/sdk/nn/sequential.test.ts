import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backward } from '../../../sdk/autograd/backward';
import { ready } from '../../../sdk/backend';
import { relu } from '../../../sdk/functional/activation';
import { linear } from '../../../sdk/functional/linear';
import { crossEntropy } from '../../../sdk/functional/loss';
import { ReLU } from '../../../sdk/nn/activation';
import { Linear } from '../../../sdk/nn/linear';
import type { Parameter } from '../../../sdk/nn/parameter';
import { Sequential } from '../../../sdk/nn/sequential';
import { summary } from '../../../sdk/nn/summary';
import { Generator } from '../../../sdk/random';

await ready(); // the model below is built when the file is collected

/** The cross-entropy of `forward(x)` and the gradient it leaves on each parameter, which is then cleared. */
function lossAndGrads(model: Sequential, forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) {
  const loss = backward(() => crossEntropy(forward(x), [0, 1, 2, 3, 3, 2, 1, 0]));
  const params = model.parameters() as Parameter[];
  const grads = params.map((p) => Array.from(p.grad!.dataSync()));
  for (const p of params) {
    p.grad!.dispose();
    p.grad = null;
  }
  return { loss: loss.dataSync()[0], grads };
}

describe('nn.Sequential', () => {
  // Linear(20→128) then ReLU runs as one op with the activation inside; Linear(128→256) goes through the op's
  // other arrangement (weight as the left operand), so both arrangements are paired with a ReLU here.
  const model = new Sequential(
    new Linear(20, 128, { generator: new Generator(1) }),
    new ReLU(),
    new Linear(128, 256, { generator: new Generator(2) }),
    new ReLU(),
    new Linear(256, 4, { generator: new Generator(3) }),
  );
  const [first, , second, , last] = model.layers as Linear[];
  const separately = (x: tf.Tensor) =>
    linear(relu(linear(relu(linear(x, first.weight, first.bias)), second.weight, second.bias)), last.weight, last.bias);
  const x = tf.tensor2d(new Generator(4).uniform(8 * 20, -3, 3), [8, 20]);

  it('gives a Linear followed by a ReLU the values and gradients of the two run one after the other', () => {
    const fused = lossAndGrads(model, (input) => model.forward(input), x);
    const reference = lossAndGrads(model, separately, x);
    expect(fused.loss).toBe(reference.loss);
    expect(fused.grads).toEqual(reference.grads);
  });

  it('keeps a NaN through the paired ReLU, as ReLU alone and PyTorch do, in training and in eval mode', () => {
    const small = new Linear(2, 2);
    const large = new Linear(300, 300); // weight larger than the batch's activations: the other arrangement
    for (const layer of [small, large]) layer.weight.assign(tf.tidy(() => tf.mul(layer.weight, tf.scalar(NaN))));
    for (const layer of [small, large]) {
      const pair = new Sequential(layer, new ReLU());
      const input = tf.ones([4, layer.inFeatures]);
      for (const mode of ['train', 'eval'] as const) {
        pair[mode]();
        expect(Array.from(pair.forward(input).dataSync()).every(Number.isNaN), `${layer.inFeatures} inputs, ${mode}`).toBe(true);
      }
      pair.dispose();
    }
  });

  it('still runs a ReLU whose forward was replaced, so nn.summary lists it', () => {
    const rows = summary(model, [20]).rows.map((row) => row.layer);
    expect(rows).toEqual(['Linear-1', 'ReLU-2', 'Linear-3', 'ReLU-4', 'Linear-5']);
  });
});
