import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backward } from '../../../sdk/autograd/backward';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { crossEntropy } from '../../../sdk/functional/loss';
import { linearChain } from '../../../sdk/functional/linear_chain';
import { Linear, Parameter, ReLU, Sequential } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** The layers' values and the gradients a cross-entropy leaves on the parameters and the input, then cleared. */
function run(model: Sequential, forward: (x: tf.Tensor) => tf.Tensor, x: Parameter) {
  const loss = backward(() => crossEntropy(forward(x), [0, 1, 1, 0, 1, 0, 0, 1]));
  const tensors = [x, ...(model.parameters() as Parameter[])];
  const grads = tensors.map((p) => values(p.grad!));
  for (const p of tensors) {
    p.grad!.dispose();
    p.grad = null;
  }
  return { loss: loss.dataSync()[0], grads };
}

/** Every layer's weight larger than a batch of 8 rows' activations, so that Sequential chains them all. */
function chainable(seed: number, options: { bias: boolean; lastReLU: boolean; middleReLU: boolean }): Sequential {
  const generator = new Generator(seed);
  const bias = options.bias;
  return new Sequential(
    new Linear(20, 64, { bias, generator }),
    new ReLU(),
    new Linear(64, 48, { bias, generator }),
    ...(options.middleReLU ? [new ReLU()] : []),
    new Linear(48, 32, { bias, generator }),
    ...(options.lastReLU ? [new ReLU()] : []),
  );
}

describe('linearChain: a run of Linear layers as one op, activations transposed between them', () => {
  for (const options of [
    { bias: true, lastReLU: false, middleReLU: true },
    { bias: false, lastReLU: true, middleReLU: false },
    { bias: true, lastReLU: true, middleReLU: true },
  ]) {
    it(`gives the values and the gradients of the layers one by one, to the bit (${JSON.stringify(options)})`, () => {
      const model = chainable(1, options);
      const layers = model.layers;
      const x = new Parameter(tf.tensor2d(new Generator(2).uniform(8 * 20, -3, 3), [8, 20]));
      const oneByOne = (input: tf.Tensor) => layers.reduce((h, layer) => layer.forward(h), input);
      const chained = run(model, (input) => model.forward(input), x);
      const reference = run(model, oneByOne, x);
      expect(chained.loss).toBe(reference.loss);
      expect(chained.grads).toEqual(reference.grads);
    });
  }

  it('is what nn.Sequential runs while training: the activations move only at the chain’s ends', async () => {
    const model = chainable(3, { bias: true, lastReLU: false, middleReLU: true });
    const x = tf.randomNormal([8, 20]);
    const transposes = async (forward: () => tf.Tensor) => {
      const { kernels } = await tf.profile(() => void backward(() => crossEntropy(forward(), [0, 1, 1, 0, 1, 0, 0, 1])).dispose());
      return kernels.filter((k) => k.name === 'Transpose').length;
    };
    const chained = await transposes(() => model.forward(x));
    const oneByOne = await transposes(() => model.layers.reduce((h, layer) => layer.forward(h), x));
    // Forward: in and out once (2 against 6). Backward: dy, h₁ and h₂ for dW, W₂ᵀ and W₃ᵀ (5 against each layer's
    // dz and, but for the first, W and dx: 7).
    expect({ chained, oneByOne }).toEqual({ chained: 7, oneByOne: 13 });
  });

  it('is not used for a weight smaller than the batch, where linear() multiplies the other way', async () => {
    const generator = new Generator(4);
    const model = new Sequential(new Linear(4, 3, { generator }), new ReLU(), new Linear(3, 2, { generator }));
    const x = new Parameter(tf.randomNormal([8, 4]));
    const oneByOne = (input: tf.Tensor) => model.layers.reduce((h, layer) => layer.forward(h), input);
    const forward = (input: tf.Tensor) => model.forward(input);
    expect(run(model, forward, x)).toEqual(run(model, oneByOne, x));
  });

  it('takes layers without a gradient tape too, with the same values', () => {
    const [w1, b1, w2] = [tf.randomNormal([64, 20]), tf.randomNormal([64]), tf.randomNormal([48, 64])];
    const x = tf.randomNormal([8, 20]);
    const y = linearChain(x, [
      { weight: w1, bias: b1, relu: true },
      { weight: w2, relu: false },
    ]);
    const expected = tf.matMul(tf.relu(tf.add(tf.matMul(x, w1, false, true), b1)), w2, false, true);
    expect(y.shape).toEqual([8, 48]);
    const worst = Math.max(...values(tf.abs(tf.sub(y, expected))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('leaves a layer that does not take the width it is given to its own forward, which names the mismatch', () => {
    const generator = new Generator(6);
    const mismatched = new Sequential(new Linear(20, 64, { generator }), new ReLU(), new Linear(32, 48, { generator }), new Linear(48, 30, { generator }));
    const message = (model: Sequential, width: number) => {
      try {
        backward(() => crossEntropy(model.forward(tf.zeros([8, width])), [0, 1, 1, 0, 1, 0, 0, 1]));
      } catch (error) {
        expect(error).toBeInstanceOf(ArgumentError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(mismatched, 20)).toBe('Linear expects 32 input features, got 64 (input shape [8,64])');
    expect(message(chainable(7, { bias: true, lastReLU: false, middleReLU: true }), 21)).toBe(
      'Linear expects 20 input features, got 21 (input shape [8,21])',
    );
  });
});
