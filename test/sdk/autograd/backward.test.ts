import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../sdk/autograd/register';
import { backward, grad } from '../../../sdk/autograd/backward';
import { ready } from '../../../sdk/backend';
import { relu } from '../../../sdk/functional/activation';
import { linear } from '../../../sdk/functional/linear';
import { crossEntropy } from '../../../sdk/functional/loss';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import type { Module } from '../../../sdk/nn/module';
import type { Parameter } from '../../../sdk/nn/parameter';
import { SGD } from '../../../sdk/optim/sgd';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

const fixture = torchFixture('autograd.json');
const lambda: number = fixture.lambda;

/** The course's hand-written L1, as DESIGN.md writes it: plain tfjs ops. */
const l1 = (params: tf.Tensor[], lambda: number) => tf.mul(lambda, tf.addN(params.map((p) => tf.sum(tf.abs(p)))));

/** The expressions of make_torch_fixtures.py's make_autograd, written as a TypeScript user would. */
const expressions: Record<string, (w: tf.Tensor, b: tf.Tensor, v: tf.Tensor) => tf.Tensor> = {
  course_l1: (w, b, v) => l1([w, b, v], lambda),
  chained_square_sum: (w, b) => w.square().sum().add(b.square().mean()),
  mean_squared_error: (w, b) => {
    const [x, t] = [fromFixture(fixture.x), fromFixture(fixture.t)];
    return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w, false, true), b), t)));
  },
  // edgeml's own ops (linear, relu, crossEntropy) and plain tfjs ops in one graph.
  mixed_mlp_cross_entropy_l1_l2: (w, b, v) => {
    const logits = linear(relu(linear(fromFixture(fixture.x), w, b)), v);
    return tf.addN([
      crossEntropy(logits, fromFixture(fixture.y, 'int32')),
      l1([w, b, v], lambda),
      tf.mul(0.5, tf.sum(tf.mul(w, w))),
    ]);
  },
};

/** w [3,4], b [3], v [4,3], as the fixture has them. */
function parameters(): [Parameter, Parameter, Parameter] {
  return fixture.params.map((p: any) => Object.assign(tf.variable(fromFixture(p)), { grad: null }));
}

function dispose(params: Parameter[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.dispose();
  }
}

describe('autograd.backward', () => {
  it.each<any>(fixture.cases)("gives PyTorch's loss and gradients for $name", ({ name, loss, grads }) => {
    const params = parameters();
    const value = backward(() => expressions[name](...params));
    expectClose(value, loss);
    // A parameter the expression leaves out keeps a null grad (PyTorch's None, written as zeros in the fixture).
    params.forEach((p, i) =>
      p.grad ? expectClose(p.grad, grads[i]) : expect(grads[i].data.every((g: number) => g === 0)).toBe(true),
    );
    value.dispose();
    dispose(params);
  });

  it("gives |w|'s gradient 0 at w = 0, as PyTorch does (tfjs's own is −1)", () => {
    const w = Object.assign(tf.variable(tf.tensor([-2, 0, 3])), { grad: null as tf.Tensor | null });
    backward(() => tf.sum(tf.abs(w))).dispose();
    expect(Array.from(w.grad!.dataSync())).toEqual([-1, 0, 1]);
    dispose([w]);
  });

  it('accumulates into grad across calls without zeroGrad, and leaves an unreached parameter at null', () => {
    const params = parameters();
    const [w, b, v] = params;
    backward(() => expressions.mean_squared_error(w, b, v)).dispose();
    fixture.accumulation.first.forEach((g: any, i: number) =>
      g ? expectClose(params[i].grad!, g) : expect(params[i].grad).toBeNull(),
    );
    backward(() => expressions.course_l1(w, b, v)).dispose();
    params.forEach((p, i) => expectClose(p.grad!, fixture.accumulation.accumulated[i]));
    dispose(params);
  });

  it('doubles the gradient when the same loss is back-propagated twice', () => {
    const params = parameters();
    const loss = () => expressions.mixed_mlp_cross_entropy_l1_l2(...params);
    backward(loss).dispose();
    const once = params.map((p) => Array.from(p.grad!.dataSync()));
    backward(loss).dispose();
    params.forEach((p, i) => expectClose(p.grad!, { shape: p.shape, data: once[i].map((g) => 2 * g) }, { atol: 1e-6 }));
    dispose(params);
  });

  it('keeps the gradients when called inside tf.tidy, and returns the loss to the caller', () => {
    const params = parameters();
    const value = tf.tidy(() => tf.keep(backward(() => expressions.course_l1(...params))));
    expect(value.isDisposed).toBe(false);
    expect(params.every((p) => !p.grad!.isDisposed)).toBe(true);
    value.dispose();
    dispose(params);
  });

  it('refuses a loss that is not a scalar, leaving nothing behind', () => {
    const params = parameters();
    const before = tf.memory().numTensors;
    expect(() => backward(() => tf.square(params[0]))).toThrow(
      /the loss must be a scalar, got a tensor of shape \[3,4\]: reduce it first/,
    );
    expect(params.every((p) => p.grad === null)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    dispose(params);
  });

  it('refuses a loss that reaches no parameter, saying to compute it inside the closure', () => {
    const params = parameters();
    const outside = tf.sum(params[0]);
    const before = tf.memory().numTensors;
    expect(() => backward(() => tf.mul(outside, 2))).toThrow(
      /does not depend on any trainable parameter: compute it inside the closure/,
    );
    expect(tf.memory().numTensors).toBe(before);
    outside.dispose();
    dispose(params);
  });

  it('treats comparisons as constants, as PyTorch does: d/dx Σ where(x > 0, x, 2x) is 1 or 2', () => {
    const x = Object.assign(tf.variable(tf.tensor([-1, 0, 2])), { grad: null as tf.Tensor | null });
    backward(() => tf.sum(tf.where(tf.logicalOr(tf.greater(x, 0), tf.equal(x, 5)), x, tf.mul(x, 2)))).dispose();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 2, 1]);
    dispose([x]);
  });

  it('names a gradient kernel the wasm backend lacks and what to use instead', (context) => {
    if (tf.getBackend() !== 'wasm') context.skip();
    const params = parameters();
    expect(() => backward(() => tf.sum(tf.gather(params[0], [0, 0])))).toThrow(
      /needs the UnsortedSegmentSum kernel, which tfjs's wasm backend lacks: use edgeml's op/,
    );
    dispose(params);
  });

  it('names an op with no gradient and says what to do', () => {
    const params = parameters();
    expect(() => backward(() => tf.sum(tf.topk(params[1], 2).values))).toThrow(
      /goes through the TopK op, which has no gradient/,
    );
    dispose(params);
  });
});

describe('the course loop: zeroGrad, backward of cross-entropy + hand-written L1, SGD step', () => {
  function courseModel(): Module {
    const model = new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 3));
    model.loadStateDict(
      Object.fromEntries(Object.entries(fixture.course_loop.state_dict).map(([k, v]: any) => [k, fromFixture(v)])),
    );
    return model;
  }

  function trainStep(model: Module, optimizer: SGD, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
    model.train();
    optimizer.zeroGrad();
    const loss = backward(() => tf.add(crossEntropy(model.forward(x), y), l1(model.parameters(), lambda)));
    optimizer.step();
    return loss;
  }

  it("takes PyTorch's three steps: its losses, then its weights", () => {
    const model = courseModel();
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    fixture.course_loop.batches.forEach(({ x, y }: any, i: number) => {
      const loss = trainStep(model, optimizer, fromFixture(x), fromFixture(y, 'int32'));
      expect(loss.dataSync()[0]).toBeCloseTo(fixture.course_loop.losses[i], 5);
      loss.dispose();
    });
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, fixture.course_loop.state_dict_after[key]);
    optimizer.zeroGrad();
    optimizer.dispose();
    model.dispose();
  });

  it('keeps the tensor count flat over 100 steps', () => {
    const model = courseModel();
    const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const { x, y } = fixture.course_loop.batches[0];
    const [bx, by] = [fromFixture(x), fromFixture(y, 'int32')];
    trainStep(model, optimizer, bx, by).dispose();
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) trainStep(model, optimizer, bx, by).dispose();
    expect(tf.memory().numTensors).toBe(after1);
    optimizer.zeroGrad();
    optimizer.dispose();
    model.dispose();
    tf.dispose([bx, by]);
  });
});

describe('autograd.grad', () => {
  it("returns the gradients in the inputs' order, zeros where the loss does not reach, and leaves grad alone", () => {
    const params = parameters();
    const [w, b, v] = params;
    const expected = fixture.cases.find((c: any) => c.name === 'mean_squared_error').grads;
    const [gv, gw, gb] = grad(() => expressions.mean_squared_error(w, b, v), [v, w, b]);
    expectClose(gw, expected[0]);
    expectClose(gb, expected[1]);
    expect(Array.from(gv.dataSync()).every((g) => g === 0)).toBe(true);
    expect(params.every((p) => p.grad === null)).toBe(true);
    tf.dispose([gv, gw, gb]);
    dispose(params);
  });
});
