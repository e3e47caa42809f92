import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { TraceError } from '../../../sdk/errors';
import * as F from '../../../sdk/functional/index';
import { exportGraph } from '../../../sdk/graph/export';
import { Linear } from '../../../sdk/nn/linear';
import { Module } from '../../../sdk/nn/module';
import { Generator } from '../../../sdk/random';
import { images, PhonePriceModel, Residual, rows, SmallCnn } from './models';

beforeAll(async () => {
  await ready();
});

/** A model whose child `inner` runs `body` on the output of a Linear. */
class Wrapper extends Module {
  inner: Inner;
  constructor(body: (h: tf.Tensor, self: Inner) => tf.Tensor) {
    super();
    this.inner = new Inner(body);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.inner.forward(x);
  }
}

class Inner extends Module {
  fc = new Linear(4, 2, { generator: new Generator(1) });
  constructor(private readonly body: (h: tf.Tensor, self: Inner) => tf.Tensor) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.body(this.fc.forward(x), this);
  }
}

function traceError(model: Module, example: tf.Tensor): TraceError {
  try {
    exportGraph(model, example);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return error as TraceError;
  }
  throw new Error('exportGraph did not throw');
}

describe('exportGraph', () => {
  it('records a user-written model as layers and F ops, with parameters by state-dict key', () => {
    const graph = exportGraph(new PhonePriceModel(20, 4), rows(1, 20));
    expect(graph.opset).toBe(1);
    expect(graph.input.shape).toEqual([null, 20]);
    expect(graph.nodes.map(({ op, inputs, module }) => [op, inputs, module])).toEqual([
      ['linear', ['$input', 'linear1.weight', 'linear1.bias'], 'linear1'],
      ['relu', ['#0'], ''],
      ['linear', ['#1', 'linear2.weight', 'linear2.bias'], 'linear2'],
      ['relu', ['#2'], ''],
      ['linear', ['#3', 'output.weight', 'output.bias'], 'output'],
    ]);
    expect(graph.output).toBe('#4');
  });

  it('records a CNN with batch-norm buffers, and dropout as nothing (eval mode)', () => {
    const model = new SmallCnn();
    const graph = exportGraph(model, images(1));
    expect(graph.nodes.map((node) => node.op)).toEqual(['conv2d', 'batchNorm', 'relu', 'maxPool2d', 'flatten', 'linear']);
    expect(graph.nodes[1].inputs).toEqual(['#0', 'bn.running_mean', 'bn.running_var', 'bn.weight', 'bn.bias']);
    expect(graph.nodes[0].attrs).toEqual({ stride: [1, 1], padding: [1, 1], dilation: [1, 1] });
    expect(model.training).toBe(true); // the mode is restored
  });

  it('records plain tfjs add, mul by a constant, reshape with the batch left free, and concat', () => {
    const graph = exportGraph(new Residual(), rows(3, 6));
    expect(graph.nodes.map((node) => node.op)).toEqual(['linear', 'sigmoid', 'mul', 'add', 'reshape', 'reshape', 'linear', 'softmax', 'concat']);
    expect(graph.nodes[2].inputs[1]).toEqual({ shape: [], data: [0.5] });
    expect(graph.nodes[4].attrs).toEqual({ shape: [0, 2, 3] });
  });

  it('fails for a tfjs op the op set lacks, naming the op and the module', () => {
    const error = traceError(new Wrapper((h) => tf.abs(h)), rows(2, 4));
    expect(error.message).toMatch(/^module "inner" \(Inner\) calls the tfjs op "Abs"/);
    expect(error.details).toMatchObject({ op: 'Abs', module: 'inner' });
  });

  it('fails for a forward that reads tensor values (data-dependent control flow), naming the module', () => {
    const branchy = new Wrapper((h) => (tf.sum(h).dataSync()[0] > 0 ? F.relu(h) : h));
    // tf.sum is not in the op set either: read the values of the traced tensor itself to reach the read check.
    const reader = new Wrapper((h) => (h.dataSync()[0] > 0 ? F.relu(h) : h));
    expect(traceError(branchy, rows(2, 4)).details).toMatchObject({ op: 'Sum', module: 'inner' });
    const error = traceError(reader, rows(2, 4));
    expect(error.message).toMatch(/^module "inner" \(Inner\) reads tensor values during forward/);
    expect(error.details).toMatchObject({ op: 'read', module: 'inner' });
    expect(traceError(new Wrapper((h) => (h.arraySync(), h)), rows(2, 4)).details).toMatchObject({ op: 'read' });
  });

  it('fails when the graph does not reproduce the model on another batch size (a branch on the shape)', () => {
    const model = new Wrapper((h) => (h.shape[0] === 1 ? F.relu(h) : F.sigmoid(h)));
    expect(traceError(model, rows(1, 4)).message).toMatch(/^the traced graph gives .* on a batch of 2 \(the example twice\)/);
  });

  it('fails for training-only behaviour and for large tensors the state dict does not hold', () => {
    expect(traceError(new Wrapper((h) => F.dropout(h, 0.5)), rows(2, 4)).message).toMatch(/F.dropout is called with training = true/);
    const big = new Wrapper((h) => tf.add(h, tf.slice(tf.ones([300, 2]), [0, 0], [1, 2])));
    // The slice of a constant is itself made outside the graph: still a constant, small, so it is written inline.
    expect(exportGraph(big, rows(2, 4)).nodes.at(-1)!.inputs[1]).toEqual({ shape: [1, 2], data: [1, 1] });
    const error = traceError(new Wrapper((h) => tf.mul(tf.ones([1000, 2]), h)), rows(2, 4));
    expect(error.message).toMatch(/passes mul a float32 \[1000,2\] tensor .*this\.registerBuffer/);
  });

  it('leaves no hook behind, after success or failure', () => {
    const engine = tf.engine() as unknown as Record<string, unknown>;
    const model = new Wrapper((h) => tf.abs(h));
    expect(() => exportGraph(model, rows(2, 4))).toThrow(TraceError);
    exportGraph(new SmallCnn(), images(1));
    for (const key of ['runKernel', 'readSync', 'read']) expect(Object.hasOwn(engine, key)).toBe(false);
    expect(Object.hasOwn(model, 'forward') || Object.hasOwn(model.inner, 'forward')).toBe(false);
    expect(tf.abs(tf.scalar(-2)).dataSync()[0]).toBe(2);
  });

  it('leaks no tensors, after success or failure', () => {
    const model = new SmallCnn();
    const x = images(2);
    const failing = new Wrapper((h) => tf.abs(h));
    const row = rows(2, 4);
    const before = tf.memory().numTensors;
    exportGraph(model, x);
    expect(() => exportGraph(failing, row)).toThrow(TraceError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
