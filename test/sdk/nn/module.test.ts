import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { BatchNorm1d, Dropout, Flatten, Linear, Module, ModuleList, ReLU, Sequential, Sigmoid, build } from '../../../sdk/nn/index';
import { torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

const mlpBn = () =>
  new Sequential(new Linear(20, 8), new BatchNorm1d(8), new ReLU(), new Dropout(0.2), new Linear(8, 4));

describe('Module', () => {
  it('names state-dict entries exactly as PyTorch does', () => {
    const { keys } = torchFixture('mlp_bn.json');
    const state = mlpBn().stateDict();
    expect(Object.keys(state)).toEqual(Object.keys(keys));
    for (const [key, shape] of Object.entries(keys)) expect(state[key].shape).toEqual(shape);
  });

  it('lists parameters without buffers', () => {
    expect(mlpBn().namedParameters().map(([name]) => name)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '4.weight',
      '4.bias',
    ]);
  });

  it('switches every child between train and eval', () => {
    const model = mlpBn().eval();
    expect(model.layers.every((layer) => !layer.training)).toBe(true);
    model.train();
    expect(model.layers.every((layer) => layer.training)).toBe(true);
  });

  it('keeps the values it loaded whatever becomes of the tensors they came from, its own included', () => {
    const model = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const values = { '0.weight': [1, 2, 3, 4, 5, 6], '0.bias': [7, 8], '1.num_batches_tracked': [5] };
    const loaded = {
      '0.weight': tf.tensor2d(values['0.weight'], [2, 3]),
      '0.bias': tf.tensor1d(values['0.bias']),
      '1.num_batches_tracked': tf.scalar(5, 'float32'), // cast to the buffer's int32
    };
    model.loadStateDict({ ...model.stateDict(), ...loaded });
    for (const tensor of Object.values(loaded)) tensor.dispose();
    model.loadStateDict(model.stateDict());
    const state = model.stateDict();
    for (const [key, expected] of Object.entries(values)) expect(Array.from(state[key].dataSync()), key).toEqual(expected);
    expect(state['1.num_batches_tracked'].dtype).toBe('int32');
  });

  it('loads a state dict and refuses one that does not fit in PyTorch\'s words, changing nothing', () => {
    const source = new Sequential(new Linear(3, 2));
    const target = new Sequential(new Linear(3, 2));
    target.loadStateDict(source.stateDict());
    expect(target.stateDict()['0.weight'].dataSync()).toEqual(source.stateDict()['0.weight'].dataSync());

    const before = Array.from(target.stateDict()['0.weight'].dataSync());
    expect(() => target.loadStateDict({ '0.weight': tf.ones([2, 3]) })).toThrow(
      'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias".',
    );
    expect(() => target.loadStateDict({ ...source.stateDict(), extra: tf.ones([1]) })).toThrow(
      'Unexpected key(s) in state_dict: "extra".',
    );
    const wrongShape = () => target.loadStateDict({ '0.weight': tf.ones([3, 2]), '0.bias': tf.ones([2]), extra: tf.ones([1]) });
    expect(wrongShape).toThrow(ArgumentError);
    expect(wrongShape).toThrow(
      '\tUnexpected key(s) in state_dict: "extra".\n\tsize mismatch for 0.weight: copying a param with shape [3, 2] ' +
        'from checkpoint, the shape in current model is [2, 3].',
    );
    expect(() => target.loadStateDict({ '0.weight': tf.ones([3, 2]) }, { strict: false })).toThrow(/size mismatch for 0.weight/);
    expect(Array.from(target.stateDict()['0.weight'].dataSync())).toEqual(before);

    const result = target.loadStateDict({ '0.weight': tf.ones([2, 3]), extra: tf.ones([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ['0.bias'], unexpectedKeys: ['extra'] });
    expect(Array.from(target.stateDict()['0.weight'].dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('rebuilds every layer type from its spec', () => {
    const model = new Sequential(
      new Linear(6, 4, { bias: false }),
      new BatchNorm1d(4, { momentum: null, eps: 1e-3, affine: false }),
      new Sigmoid(),
      new Dropout(0.3),
      new Flatten(),
      new ReLU(),
    );
    const rebuilt = build(JSON.parse(JSON.stringify(model.spec())));
    expect(rebuilt.spec()).toEqual(model.spec());
    expect(Object.keys(rebuilt.stateDict())).toEqual(Object.keys(model.stateDict()));
  });

  it('names an unknown module type and a malformed option', () => {
    expect(() => build({ type: 'Transformer' })).toThrow(ArgumentError);
    expect(() => build({ type: 'Transformer' })).toThrow(/unknown module type "Transformer"; known types: Sequential, Linear/);
    expect(() => build({ type: 'Linear', inFeatures: '20', outFeatures: 4 })).toThrow(/Linear spec: "inFeatures" must be a positive integer/);
  });

  it('runs a Sequential\'s children in order, whatever their classes, with the outputs of calling each in turn', () => {
    class AddOne extends Module {
      forward(x: tf.Tensor): tf.Tensor {
        return tf.add(x, 1);
      }
    }
    const model = new Sequential(new Linear(2, 3), new AddOne(), new ReLU(), new Linear(3, 1));
    const x = tf.randomNormal([4, 2]);
    const oneByOne = model.layers.reduce((h, layer) => layer.forward(h), x);
    expect(Array.from(model.forward(x).dataSync())).toEqual(Array.from(oneByOne.dataSync()));
    expect(() => new ModuleList([new ReLU()]).forward(x)).toThrow(/ModuleList has no forward/);
  });

  it('frees its variables on dispose', () => {
    const before = tf.memory().numTensors;
    mlpBn().dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
