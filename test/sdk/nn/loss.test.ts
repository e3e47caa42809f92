import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import * as F from '../../../sdk/functional/index';
import * as nn from '../../../sdk/nn/index';
import { expectClose, fromFixture, torchFixture, type FixtureTensor } from '../../helpers/fixtures';

const { cases, softmax } = torchFixture('losses.json');
const fixture = (name: string) => cases.find((c: { name: string }) => c.name === name);

beforeAll(ready);

describe('loss modules give torch.nn’s losses', () => {
  // Each module made from PyTorch's constructor arguments, for a case of losses.json made by the F function.
  const modules: [string, () => nn.Module & { forward(x: tf.Tensor, t: tf.Tensor): tf.Tensor }][] = [
    ['ce_weight_ignore_smoothing_none', () =>
      new nn.CrossEntropyLoss({ weight: [0.5, 2, 1, 3], labelSmoothing: 0.1, reduction: 'none' })],
    ['ce_weight_ignore_smoothing_mean', () =>
      new nn.CrossEntropyLoss({ weight: tf.tensor1d([0.5, 2, 1, 3]), labelSmoothing: 0.1 })],
    ['ce_ignore_default', () => new nn.CrossEntropyLoss()],
    ['ce_ignore_index_3', () => new nn.CrossEntropyLoss({ ignoreIndex: 3 })],
    ['ce_probs_weight_smoothing', () =>
      new nn.CrossEntropyLoss({ weight: [0.5, 2, 1, 3], labelSmoothing: 0.2 })],
    ['nll_weight_ignore_sum', () => new nn.NLLLoss({ weight: [0.5, 2, 1, 3], reduction: 'sum' })],
    ['mse_none', () => new nn.MSELoss({ reduction: 'none' })],
    ['l1_sum', () => new nn.L1Loss({ reduction: 'sum' })],
    ['bce_weight', () => new nn.BCELoss({ weight: fromFixture(fixture('bce_weight').options.weight) })],
    ['bce_logits_weight_pos_weight', () => new nn.BCEWithLogitsLoss({
      weight: fromFixture(fixture('bce_logits_weight_pos_weight').options.weight),
      posWeight: tf.tensor1d([1, 3, 0.25]),
    })],
  ];

  it.each(modules)('%s: value and input gradient', (name, make) => {
    const c = fixture(name);
    const criterion = make();
    const integer = (c.name.startsWith('ce') || c.name.startsWith('nll')) && !c.grad_target;
    const target = fromFixture(c.target, integer ? 'int32' : 'float32');
    const input = fromFixture(c.input);
    expectClose(criterion.forward(input, target), c.value);
    const grad = tf.grad((x: tf.Tensor) => criterion.forward(x, target))(input, fromFixture(c.upstream));
    expectClose(grad, c.grad_input, { atol: 1e-6 });
  });

  const alongDim1: { fn: string; dim: number; input: FixtureTensor; value: FixtureTensor }[] = softmax.filter(
    (c: { dim: number }) => c.dim === 1,
  );
  it.each(alongDim1)('nn.$fn(1) is F.$fn(x, 1)', (c) => {
    const module = c.fn === 'softmax' ? new nn.Softmax(1) : new nn.LogSoftmax(1);
    expectClose(module.forward(fromFixture(c.input)), c.value);
  });
});

describe('loss modules', () => {
  it('have no parameters, and their class weights as buffers under PyTorch’s keys', () => {
    expect(new nn.CrossEntropyLoss().parameters()).toEqual([]);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    expect(Object.keys(new nn.NLLLoss({ weight: [1, 2] }).stateDict())).toEqual(['weight']);
    const bce = new nn.BCEWithLogitsLoss({ weight: tf.ones([2]), posWeight: tf.tensor1d([3, 4]) });
    expect(Object.keys(bce.stateDict())).toEqual(['weight', 'pos_weight']);
    expect(Array.from(bce.stateDict().pos_weight.dataSync())).toEqual([3, 4]);
  });

  it('keep a copy of the weight: the caller may dispose its own', () => {
    const weight = tf.tensor1d([1, 2, 3]);
    const criterion = new nn.CrossEntropyLoss({ weight });
    weight.dispose();
    const logits = tf.tensor2d([1, 2, 3, 3, 2, 1], [2, 3]);
    expect(criterion.forward(logits, [0, 2]).dataSync()[0]).toBeCloseTo(
      F.crossEntropy(logits, [0, 2], { weight: [1, 2, 3] }).dataSync()[0],
      6,
    );
  });

  it('free their buffers on dispose()', () => {
    const before = tf.memory().numTensors;
    new nn.BCEWithLogitsLoss({ weight: tf.ones([2]), posWeight: tf.ones([2]) }).dispose();
    expect(tf.memory().numTensors).toBe(before + 2); // the two tensors made above, not their copies
  });

  it('check their options when made', () => {
    expect(() => new nn.CrossEntropyLoss({ reduction: 'avg' as never })).toThrow(ArgumentError);
    expect(() => new nn.MSELoss({ reduction: 'avg' as never })).toThrow(/MSELoss: reduction must be/);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 2 })).toThrow(/labelSmoothing must be in \[0, 1\]/);
  });

  it('say that forward needs a target', () => {
    const criterion = new nn.CrossEntropyLoss() as nn.Module;
    expect(() => criterion.forward(tf.zeros([2, 3]))).toThrow(
      /CrossEntropyLoss.forward\(input, target\) needs a target/,
    );
  });

  it('train a model in the course’s loop: the criterion’s gradient reaches the parameters', () => {
    const model = new nn.Linear(3, 2);
    const criterion = new nn.CrossEntropyLoss();
    const x = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0], [4, 3]);
    const y = tf.tensor1d([0, 1, 1, 0], 'int32');
    const loss = () => criterion.forward(model.forward(x), y) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, model.parameters());
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads)).toHaveLength(2);
  });
});
