import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import * as F from '../../../sdk/functional/index';
import { expectClose, fromFixture, torchFixture, type FixtureTensor } from '../../helpers/fixtures';

/** A case of test/fixtures/torch/losses.json (scripts/fixtures/make_torch_fixtures.py, make_losses). */
interface LossCase {
  name: string;
  fn: keyof typeof losses;
  options: Record<string, unknown>;
  input: FixtureTensor;
  target: FixtureTensor;
  upstream: FixtureTensor;
  value: FixtureTensor;
  grad_input: FixtureTensor;
  grad_target?: FixtureTensor;
}

const { cases, softmax } = torchFixture<{ cases: LossCase[]; softmax: any[] }>('losses.json');

type Loss = (input: tf.Tensor, target: tf.Tensor, options: any) => tf.Tensor;
const losses: Record<string, Loss> = {
  cross_entropy: F.crossEntropy,
  nll_loss: F.nllLoss,
  mse_loss: F.mseLoss,
  l1_loss: F.l1Loss,
  binary_cross_entropy: F.binaryCrossEntropy,
  binary_cross_entropy_with_logits: F.binaryCrossEntropyWithLogits,
};

/** PyTorch's keyword arguments as edgeml's options (snake_case → camelCase, tensors as tensors). */
function optionsOf(c: LossCase): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(c.options).map(([key, value]) => [
      key.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase()),
      typeof value === 'object' && value !== null ? fromFixture(value as FixtureTensor) : value,
    ]),
  );
}

/** Class indices are integers in the fixture; everything else is float. */
const isClassIndices = (c: LossCase) =>
  c.grad_target === undefined && (c.fn === 'nll_loss' || c.fn === 'cross_entropy');

beforeAll(ready);

describe('losses match torch.nn.functional', () => {
  it.each(cases)('$name: value, and the gradients of Σ value·upstream', (c) => {
    const loss = losses[c.fn];
    const options = optionsOf(c);
    const input = fromFixture(c.input);
    const target = fromFixture(c.target, isClassIndices(c) ? 'int32' : 'float32');
    const upstream = fromFixture(c.upstream);
    const large = c.name.includes('huge') || c.name.includes('clamped');
    expectClose(loss(input, target, options), c.value, { atol: 1e-5, rtol: large ? 1e-6 : 1e-5 });
    if (c.grad_target) {
      const [gradInput, gradTarget] = tf.grads((x: tf.Tensor, t: tf.Tensor) => loss(x, t, options))(
        [input, target],
        upstream,
      );
      expectClose(gradInput, c.grad_input, { atol: 1e-6 });
      expectClose(gradTarget, c.grad_target, { atol: 1e-6 });
    } else {
      expectClose(tf.grad((x: tf.Tensor) => loss(x, target, options))(input, upstream), c.grad_input, { atol: 1e-6 });
    }
  });

  it.each(softmax)('$name: value and gradient', (c) => {
    const f = (x: tf.Tensor) => (c.fn === 'softmax' ? F.softmax(x, c.dim) : F.logSoftmax(x, c.dim));
    const input = fromFixture(c.input);
    expectClose(f(input), c.value);
    expectClose(tf.grad(f)(input, fromFixture(c.upstream)), c.grad_input, { atol: 1e-6 });
  });

  it('covers every loss and each reduction', () => {
    const covered = new Set(cases.map((c) => `${c.fn}:${c.options.reduction ?? 'mean'}`));
    for (const fn of Object.keys(losses)) {
      for (const reduction of ['mean', 'sum', 'none']) expect(covered).toContain(`${fn}:${reduction}`);
    }
  });
});
