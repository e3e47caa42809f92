// train.fit is the convenience over the course's own loop: for any Module (a subclass on NCHW images here), any loss
// and a TensorDataset it gives exactly the weights the hand-written loop over a DataLoader gives.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { autograd, data, F, manualSeed, nn, optim, train } from '../../../sdk/index';

beforeAll(() => manualSeed(0));

class TinyCnn extends nn.Module {
  conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  flatten = new nn.Flatten();
  head = new nn.Linear(2 * 3 * 3, 3);
  forward(x: tf.Tensor): tf.Tensor {
    return this.head.forward(this.flatten.forward(this.pool.forward(F.relu(this.conv.forward(x)))));
  }
}

const weightsOf = (model: nn.Module) => Object.values(model.stateDict()).map((t) => Array.from(t.dataSync()));

function images(n: number, seed: number): data.TensorDataset {
  const x = tf.randomUniform([n, 1, 6, 6], 0, 1, 'float32', seed);
  const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
  return new data.TensorDataset(x, y);
}

describe('train.fit over a TensorDataset', () => {
  it('trains a Module subclass on NCHW images exactly as the hand-written loop does', async () => {
    const set = images(20, 1);
    manualSeed(7);
    const fitted = new TinyCnn();
    manualSeed(7);
    const looped = new TinyCnn();
    const history = await train.fit(fitted, set, {
      epochs: 2,
      batchSize: 6,
      seed: 3,
      optimizer: new optim.SGD(fitted.parameters(), { lr: 0.1, momentum: 0.9 }),
    });

    const optimizer = new optim.SGD(looped.parameters(), { lr: 0.1, momentum: 0.9 });
    const loader = new data.DataLoader(set, { batchSize: 6, shuffle: true, seed: 3 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      let sum = 0;
      for (const batch of loader) {
        looped.train();
        optimizer.zeroGrad();
        const loss = autograd.backward(() => F.crossEntropy(looped.forward(batch.x), batch.y));
        optimizer.step();
        sum += loss.dataSync()[0] * batch.x.shape[0];
        loss.dispose();
      }
      losses.push(sum / set.length);
    }
    expect(weightsOf(fitted)).toEqual(weightsOf(looped));
    expect(history.epochs.map((e) => e.loss)).toEqual(losses);
    expect(history.epochs.every((e) => e.accuracy !== undefined && e.accuracy >= 0 && e.accuracy <= 1)).toBe(true);
    expect(train.evaluate(fitted, set).accuracy).toBeGreaterThanOrEqual(0);
    set.dispose();
  });

  it('takes any loss: a regression with nn.MSELoss, validated by the loss, with no accuracy', async () => {
    const x = tf.randomUniform([32, 4], -1, 1, 'float32', 5);
    const y = tf.matMul(x, tf.tensor2d([[1], [-2], [0.5], [3]]));
    const set = new data.TensorDataset(x, y);
    manualSeed(2);
    const model = new nn.Linear(4, 1);
    const before = tf.tidy(() => F.mseLoss(model.forward(x), y).dataSync()[0]);
    const history = await train.fit(model, set, {
      epochs: 30,
      batchSize: 8,
      loss: new nn.MSELoss(),
      validation: set,
      optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
    });
    const last = history.epochs.at(-1)!;
    expect(last.accuracy).toBeUndefined();
    expect(last.valAccuracy).toBeUndefined();
    expect(last.valLoss).toBeCloseTo(tf.tidy(() => F.mseLoss(model.forward(x), y).dataSync()[0]), 6);
    expect(last.valLoss!).toBeLessThan(before / 10);
    set.dispose();
  });
});

describe('train.evaluate', () => {
  it('refuses targets that are not class indices, naming the first', () => {
    const set = new data.TensorDataset(tf.zeros([3, 4]), tf.tensor1d([0, 1.5, 2]));
    expect(() => train.evaluate(new nn.Linear(4, 3), set)).toThrow(/class indices in \[0, 3\), got 1\.5 at y\[1\]/);
  });
});
