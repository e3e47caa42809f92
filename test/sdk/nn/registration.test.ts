import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { relu } from '../../../sdk/functional/activation';
import { crossEntropy } from '../../../sdk/functional/loss';
import * as nn from '../../../sdk/nn/index';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';
import { PhonePriceModel } from '../../helpers/models';

beforeAll(ready);

const { registration, with_batchnorm: withBatchNormValues } = torchFixture('modules.json');

class WithBatchNorm extends nn.Module {
  linear = new nn.Linear(2, 4);
  bn = new nn.BatchNorm1d(4);
  forward(x: tf.Tensor): tf.Tensor {
    return this.bn.forward(relu(this.linear.forward(x)));
  }
}

/** As the fixture's Nested: a reassigned Sequential, a parameter between children, a ModuleList, a plain array. */
class Nested extends nn.Module {
  block: nn.Sequential;
  scale: nn.Parameter;
  heads: nn.ModuleList<nn.Linear>;
  plain: nn.Linear[];
  last: nn.Linear;
  constructor() {
    super();
    this.block = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 4));
    this.scale = new nn.Parameter(tf.ones([4]));
    this.heads = new nn.ModuleList([new nn.Linear(4, 2), new nn.Linear(4, 1)]);
    this.plain = [new nn.Linear(4, 9)];
    this.last = new nn.Linear(2, 2);
    this.block = new nn.Sequential(new nn.Linear(3, 5));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

type Entry = { key: string; shape: number[]; dtype: string };
const keysAndShapes = (entries: [string, tf.Tensor][]) => entries.map(([key, t]) => ({ key, shape: t.shape }));
const expected = (entries: Entry[]) => entries.map(({ key, shape }) => ({ key, shape }));
/** tfjs has no int64: PyTorch's int64 buffers (num_batches_tracked) are int32 here. */
const tfDtype = (dtype: string) => (dtype === 'int64' ? 'int32' : dtype);

describe('nn.Module subclasses register the modules and parameters assigned to their fields', () => {
  it.each([
    ['phone_price', () => new PhonePriceModel(20, 4)],
    ['with_batchnorm', () => new WithBatchNorm()],
    ['nested', () => new Nested()],
  ] as const)("%s: PyTorch's keys, order, shapes and dtypes", (name, make) => {
    const model = make();
    const want = registration[name];
    expect(keysAndShapes(model.namedParameters())).toEqual(expected(want.named_parameters));
    const state = Object.entries(model.stateDict());
    expect(keysAndShapes(state)).toEqual(expected(want.state_dict));
    expect(state.map(([, t]) => t.dtype)).toEqual(want.state_dict.map((e: Entry) => tfDtype(e.dtype)));
  });

  it('in the order of assignment, not of declaration', () => {
    class Backwards extends nn.Module {
      second: nn.Linear;
      first: nn.Linear;
      constructor() {
        super();
        this.first = new nn.Linear(1, 2);
        this.second = new nn.Linear(2, 3);
      }
      forward(x: tf.Tensor): tf.Tensor {
        return this.second.forward(this.first.forward(x));
      }
    }
    expect(Object.keys(new Backwards().stateDict())).toEqual(['first.weight', 'first.bias', 'second.weight', 'second.bias']);
  });

  it('lists buffers apart from parameters, and children by name', () => {
    const model = new WithBatchNorm();
    expect(model.namedBuffers().map(([key]) => key)).toEqual(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(model.buffers().some((b) => b instanceof nn.Parameter)).toBe(false);
    expect(model.namedChildren()).toEqual([
      ['linear', model.linear],
      ['bn', model.bn],
    ]);
    expect(model.modules()).toEqual([model, model.linear, model.bn]);
    expect(model.parameters(false)).toEqual([]);
  });

  it('keys a ModuleList by index, which indexes, iterates and appends; a plain array registers nothing', () => {
    const model = new Nested();
    expect(model.heads.length).toBe(2);
    expect(model.heads[1].outFeatures).toBe(1);
    expect([...model.heads].map((head) => head.outFeatures)).toEqual([2, 1]);
    model.heads.append(new nn.Linear(4, 7));
    expect(model.heads[2].outFeatures).toBe(7);
    expect(Object.keys(model.stateDict())).toContain('heads.2.weight');
    expect(model.modules()).not.toContain(model.plain[0]);
    expect(model.parameters()).not.toContain(model.plain[0].weight);
  });

  it('replaces an entry where it stands on reassignment, removes it on null or delete', () => {
    const model = new PhonePriceModel(20, 4);
    const replaced = model.linear1;
    model.linear1 = new nn.Linear(20, 128, { bias: false });
    expect(model.namedParameters().map(([key]) => key)).toEqual([
      'linear1.weight',
      'linear2.weight',
      'linear2.bias',
      'output.weight',
      'output.bias',
    ]);
    expect(model.modules()).not.toContain(replaced);
    (model as { linear2: nn.Linear | null }).linear2 = null;
    delete (model as Partial<PhonePriceModel>).output;
    expect(Object.keys(model.stateDict())).toEqual(['linear1.weight']);
  });

  it('refuses, as PyTorch does, a value that is not a Parameter where a parameter is registered', () => {
    const layer = new nn.Linear(2, 3);
    expect(() => ((layer as { weight: unknown }).weight = tf.ones([3, 2]))).toThrow(ArgumentError);
    expect(() => ((layer as { weight: unknown }).weight = tf.ones([3, 2]))).toThrow(
      "cannot assign a float32 tensor as parameter 'weight' (nn.Parameter or null expected)",
    );
    expect(() => ((new WithBatchNorm() as { bn: unknown }).bn = 3)).toThrow(/as child module 'bn'/);
  });

  it('loads the state dict PyTorch saved for the same class, and gives its output', () => {
    const model = new WithBatchNorm();
    const state = withBatchNormValues.state_dict;
    model.loadStateDict(
      Object.fromEntries(
        Object.entries(state).map(([key, t]: [string, any]) => [key, fromFixture(t, key.endsWith('num_batches_tracked') ? 'int32' : 'float32')]),
      ),
    );
    expect(model.bn.numBatchesTracked!.dataSync()[0]).toBe(2);
    model.eval();
    expectClose(model.forward(fromFixture(withBatchNormValues.input)), withBatchNormValues.output);
  });

  it('reaches every registered module with train() and eval()', () => {
    const model = new Nested();
    model.eval();
    expect(model.modules().filter((m) => m.training)).toEqual([]);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('trains without a spec(): its parameters get gradients; spec() says what to do instead', () => {
    const model = new PhonePriceModel(20, 4);
    const { grads } = tf.variableGrads(() => crossEntropy(model.forward(tf.ones([3, 20])), [0, 1, 3]), model.parameters());
    expect(Object.keys(grads)).toHaveLength(6);
    expect(() => model.spec()).toThrow(/PhonePriceModel has no spec\(\).*loadStateDict/);
    expect(() => new nn.Sequential(new nn.Linear(2, 2), model).spec()).toThrow(ArgumentError);
  });

  it('zeroGrad() disposes each gradient and sets it to null', () => {
    const model = new PhonePriceModel(20, 4);
    const before = tf.memory().numTensors;
    for (const p of model.parameters()) p.grad = tf.onesLike(p);
    model.zeroGrad();
    expect(model.parameters().map((p) => p.grad)).toEqual([null, null, null, null, null, null]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dispose() frees every variable and gradient, at any depth', () => {
    class Deep extends nn.Module {
      block = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU());
      inner = new WithBatchNorm();
      heads = new nn.ModuleList([new nn.Linear(4, 2), new nn.Linear(4, 1)]);
      scale = new nn.Parameter(tf.ones([4]));
      forward(x: tf.Tensor): tf.Tensor {
        return x;
      }
    }
    const before = tf.memory().numTensors;
    const model = new Deep();
    expect(Object.keys(model.stateDict())).toContain('inner.bn.running_var');
    for (const p of model.parameters()) p.grad = tf.zerosLike(p);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lists a parameter or module shared between two fields once', () => {
    const model = new PhonePriceModel(20, 4);
    model.output = model.linear1;
    expect(model.parameters()).toHaveLength(4);
    expect(model.modules()).toHaveLength(3);
    expect(Object.keys(model.stateDict())).toHaveLength(6);
  });
});

describe('nn.Parameter', () => {
  it('is the variable itself, trainable, with a null grad; instanceof tells it from other variables', () => {
    const data = tf.ones([2, 3]);
    const p = new nn.Parameter(data);
    expect(p).toBeInstanceOf(tf.Variable);
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(tf.variable(tf.ones([1]))).not.toBeInstanceOf(nn.Parameter);
    expect([p.trainable, p.grad, p.shape]).toEqual([true, null, [2, 3]]);
    expect(data.isDisposed).toBe(true);
    expect(new nn.Parameter(tf.ones([1]), false).trainable).toBe(false);
  });

  it('reads a variable it is given without disposing it, and refuses an integer tensor that requires a gradient', () => {
    const source = new nn.Parameter(tf.ones([2]));
    new nn.Parameter(source);
    expect(source.isDisposed).toBe(false);
    expect(() => new nn.Parameter(tf.ones([2], 'int32'))).toThrow(/only float32 tensors can require gradients/);
  });

  it("is what every layer's parameters are", () => {
    const layers = [new nn.Linear(2, 3), new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2)];
    for (const layer of layers) {
      expect(layer.parameters()).toHaveLength(2);
      for (const p of layer.parameters()) expect([p instanceof nn.Parameter, p.grad]).toEqual([true, null]);
    }
  });
});
