import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import { sgd } from '../../../sdk/optim/sgd';
import { argmaxRows } from '../../../sdk/train/predict';
import { step, stepKeepingLogits } from '../../../sdk/train/step';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

const fixture = torchFixture('mlp_train_step.json');

beforeAll(ready);

function fixtureModel(): Sequential {
  const model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 4));
  model.loadStateDict(Object.fromEntries(Object.entries(fixture.state_dict).map(([k, v]: any) => [k, fromFixture(v)])));
  return model;
}

describe('train.step', () => {
  it('takes the same two SGD steps as PyTorch on cross-entropy + L1 + L2 with weight decay', () => {
    const model = fixtureModel();
    const { lr, momentum, dampening, nesterov, weight_decay } = fixture.config;
    const optimizer = sgd({ lr, momentum, dampening, nesterov, weightDecay: weight_decay });
    const batch = { x: fromFixture(fixture.x), y: fromFixture(fixture.y, 'int32') };
    const options = { optimizer, l1: fixture.l1, l2: fixture.l2 };

    expect(step(model, batch, options)).toBeCloseTo(fixture.loss.data[0], 5);
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, fixture.state_dict_after[key]);
    expect(step(model, batch, options)).toBeCloseTo(fixture.loss_2.data[0], 5);
    for (const [key, t] of Object.entries(model.stateDict())) expectClose(t, fixture.state_dict_after_2[key]);
  });

  it('leaves no tensors behind but the optimiser state', () => {
    const model = fixtureModel();
    const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
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
    const { loss, logits } = stepKeepingLogits(model, { x, y: labels }, { optimizer: sgd({ lr: 0 }) });
    const hits = Array.from(argmaxRows(logits.dataSync() as Float32Array, logits.shape[1]!)).filter((p, i) => p === labels[i]);
    expect(hits.length).toBe(expected);
    expect(loss.dataSync()[0]).toBeCloseTo(fixture.ce_loss.data[0], 5);
  });
});
