import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../sdk/autograd/register';
import { backward } from '../../../sdk/autograd/backward';
import { ready } from '../../../sdk/backend';
import { crossEntropy } from '../../../sdk/functional/loss';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import type { Parameter } from '../../../sdk/nn/parameter';
import { SGD } from '../../../sdk/optim/sgd';
import { argmaxRows } from '../../../sdk/inference/scores';
import { step, stepKeepingOutput } from '../../../sdk/train/step';
import { evaluate } from '../../../sdk/train/evaluate';
import { TensorDataset } from '../../../sdk/data/tensor_dataset';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const fixture = torchFixture('mlp_train_step.json');

beforeAll(ready);

function fixtureModel(): Sequential {
  const model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 4));
  model.loadStateDict(Object.fromEntries(Object.entries(fixture.state_dict).map(([k, v]: any) => [k, fromFixture(v)])));
  return model;
}

describe('train.evaluate', () => {
  it("gives PyTorch's cross-entropy of the model's scores, and its accuracy", () => {
    const model = fixtureModel();
    const x = fromFixture(fixture.x);
    const labels = Int32Array.from(fixture.y.data as number[]);
    const scores = evaluate(model, new TensorDataset(x, tf.tensor1d(labels, 'int32')));
    // The fixture's loss is cross-entropy + L1 + L2 penalties; ce_loss is PyTorch's F.cross_entropy alone.
    expect(scores.loss).toBeCloseTo(fixture.ce_loss.data[0], 5);
    const predicted = argmaxRows(model.forward(x).dataSync() as Float32Array, 4);
    expect(scores.accuracy).toBe(predicted.filter((p, i) => p === labels[i]).length / labels.length);
  });
});

describe('train.step', () => {
  it('takes the same two SGD steps as PyTorch on cross-entropy + L1 + L2 with weight decay', () => {
    const model = fixtureModel();
    const { lr, momentum, dampening, nesterov, weight_decay } = fixture.config;
    const optimizer = new SGD(model.parameters(), { lr, momentum, dampening, nesterov, weightDecay: weight_decay });
    const batch = { x: fromFixture(fixture.x), y: fromFixture(fixture.y, 'int32') };
    const options = { optimizer, l1: fixture.l1, l2: fixture.l2 };

    expect(step(model, batch, options)).toBeCloseTo(fixture.loss.data[0], 5);
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, fixture.state_dict_after[key]);
    expect(step(model, batch, options)).toBeCloseTo(fixture.loss_2.data[0], 5);
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, fixture.state_dict_after_2[key]);
  });

  it('clears gradients left from before (zeroGrad), and its closed-form penalties equal autograd of hand-written ones', () => {
    const stale = fixtureModel();
    for (const p of stale.parameters() as Parameter[]) p.grad = tf.onesLike(p);
    const { lr, momentum, weight_decay } = fixture.config;
    const batch = { x: fromFixture(fixture.x), y: fromFixture(fixture.y, 'int32') };
    expect(
      step(stale, batch, {
        optimizer: new SGD(stale.parameters(), { lr, momentum, weightDecay: weight_decay }),
        l1: fixture.l1,
        l2: fixture.l2,
      }),
    ).toBeCloseTo(fixture.loss.data[0], 5);
    for (const [key, t] of Object.entries(stale.stateDict())) expectClose(t, fixture.state_dict_after[key]);

    const model = fixtureModel();
    const optimizer = new SGD(model.parameters(), { lr, momentum, weightDecay: weight_decay });
    const params = model.parameters();
    const loss = backward(() =>
      tf.addN([
        crossEntropy(model.forward(batch.x), batch.y),
        tf.mul(fixture.l1, tf.addN(params.map((p) => tf.sum(tf.abs(p))))),
        tf.mul(fixture.l2, tf.addN(params.map((p) => tf.sum(tf.square(p))))),
      ]),
    );
    optimizer.step();
    expect(loss.dataSync()[0]).toBeCloseTo(fixture.loss.data[0], 5);
    const closedForm = stale.stateDict();
    for (const [key, t] of Object.entries(model.stateDict())) {
      expectClose(
        t,
        { shape: closedForm[key].shape, data: Array.from(closedForm[key].dataSync()) },
        { atol: 1e-7, rtol: 1e-6 },
      );
    }
  });

  it('leaves no tensors behind but the optimiser state', () => {
    const model = fixtureModel();
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const batch = { x: fromFixture(fixture.x), y: Array.from(fixture.y.data as number[]) };
    step(model, batch, { optimizer });
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step(model, batch, { optimizer });
    expect(tf.memory().numTensors).toBe(after1);
  });

  it("keeps the batch's logits from before the update, for train.fit to count correctly classified rows", () => {
    const model = fixtureModel();
    const x = fromFixture(fixture.x);
    const predicted = Array.from(tf.argMax(model.forward(x), 1).dataSync());
    const labels = Array.from(fixture.y.data as number[]);
    const expected = predicted.filter((p, i) => p === labels[i]).length;
    const { loss, output: logits } = stepKeepingOutput(
      model,
      { x, y: labels },
      { optimizer: new SGD(model.parameters(), { lr: 0 }) },
    );
    const hits = Array.from(argmaxRows(logits.dataSync() as Float32Array, logits.shape[1]!)).filter(
      (p, i) => p === labels[i],
    );
    expect(hits.length).toBe(expected);
    expect(loss.dataSync()[0]).toBeCloseTo(fixture.ce_loss.data[0], 5);
  });
});
