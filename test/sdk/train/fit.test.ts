import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { parseCsv } from '../../../sdk/data/csv';
import type { Dataset } from '../../../sdk/data/dataset';
import { StandardScaler } from '../../../sdk/data/scaler';
import { trainTestSplit } from '../../../sdk/data/split';
import { BatchNorm1d, Dropout, Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import { Adam } from '../../../sdk/optim/adam';
import { StepLR } from '../../../sdk/optim/scheduler';
import { SGD } from '../../../sdk/optim/sgd';
import { manualSeed } from '../../../sdk/random';
import { evaluate } from '../../../sdk/train/evaluate';
import { fit, type EarlyStopping, type EpochRecord } from '../../../sdk/train/fit';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../../helpers/fixtures';

let trainSet: Dataset;
let testSet: Dataset;

beforeAll(async () => {
  await ready();
  const ds = parseCsv(readFileSync(`${repoRoot}data/phone-price.csv`, 'utf8'), {
    target: 'price_range',
    file: 'data/phone-price.csv',
  });
  const [train, test] = trainTestSplit(ds, { trainSize: 0.8, seed: 1 });
  const scaler = StandardScaler.fit(train);
  trainSet = scaler.transform(train);
  testSet = scaler.transform(test);
});

function model(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(20, 32), new BatchNorm1d(32), new ReLU(), new Dropout(0.1), new Linear(32, 4));
}

describe('train.fit', () => {
  it('learns the synthetic phone-price data well above chance, reporting every epoch', async () => {
    const net = model(0);
    const seen: EpochRecord[] = [];
    const history = await fit(net, trainSet, {
      epochs: 8,
      batchSize: 32,
      optimizer: new Adam(net.parameters(), { lr: 0.01 }),
      validation: testSet,
      onEpoch: (record) => void seen.push(record),
    });
    expect(seen.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history.epochs).toEqual(seen);
    expect(seen[7].loss).toBeLessThan(seen[0].loss);
    expect(seen.every((r) => Number.isFinite(r.seconds) && r.valAccuracy !== undefined)).toBe(true);
    const scores = evaluate(net, testSet);
    expect(scores.accuracy).toBeGreaterThan(0.6);
    expect(scores.confusion.flat().reduce((a, b) => a + b, 0)).toBe(testSet.rows);
  });

  it('gives the same weights bit for bit for the same seed, and other weights for another seed', async () => {
    const run = async (seed: number) => {
      const net = model(5);
      await fit(net, trainSet, { epochs: 2, batchSize: 16, seed, optimizer: new Adam(net.parameters(), { lr: 0.01 }) });
      return Object.values(net.stateDict()).map((t) => Array.from(t.dataSync()));
    };
    const first = await run(3);
    expect(await run(3)).toEqual(first);
    expect(await run(4)).not.toEqual(first);
  });

  it('stops early when the validation loss stops improving and restores the best weights', async () => {
    const net = model(1);
    const history = await fit(net, trainSet, {
      epochs: 200,
      batchSize: 64,
      optimizer: new Adam(net.parameters(), { lr: 0.05 }),
      validation: testSet,
      earlyStopping: { patience: 2 },
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBeLessThan(200);
    expect(history.epochs.length - history.bestEpoch!).toBe(2);
    const best = history.epochs[history.bestEpoch! - 1];
    expect(evaluate(net, testSet).loss).toBeCloseTo(best.valLoss!, 5);
  });

  it('counts only improvements of at least minDelta, and keeps the last weights with restoreBest: false', async () => {
    const run = async (earlyStopping: EarlyStopping) => {
      const net = model(1);
      const history = await fit(net, trainSet, {
        epochs: 40,
        batchSize: 64,
        optimizer: new Adam(net.parameters(), { lr: 0.05 }),
        validation: testSet,
        earlyStopping,
      });
      return { net, history };
    };
    const strict = await run({ patience: 2, minDelta: 0 });
    const loose = await run({ patience: 2, minDelta: 0.05 });
    // The same training until the loose run stops: its best epoch is one whose loss beat every earlier best by 0.05.
    expect(loose.history.epochs.length).toBeLessThan(strict.history.epochs.length);
    const losses = loose.history.epochs.map((e) => e.valLoss!);
    let best = losses[0];
    let bestEpoch = 1;
    losses.forEach((loss, i) => {
      if (loss < best - 0.05) [best, bestEpoch] = [loss, i + 1];
    });
    expect(loose.history.bestEpoch).toBe(bestEpoch);

    const kept = await run({ patience: 2, restoreBest: false });
    const last = kept.history.epochs.at(-1)!;
    expect(kept.history.stoppedEarly).toBe(true);
    expect(last.epoch).not.toBe(kept.history.bestEpoch);
    expect(evaluate(kept.net, testSet).loss).toBeCloseTo(last.valLoss!, 5);
  });

  it('steps its scheduler once after each epoch: the same weights as setting the rate by hand between epochs', async () => {
    // No dropout and no shuffling: each fit call re-seeds, so only then do three 1-epoch fits see what one 3-epoch fit does.
    const plain = () => (manualSeed(6), new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 4)));
    const options = { batchSize: 64, shuffle: false, seed: 0 };
    const scheduled = plain();
    const optimizer = new SGD(scheduled.parameters(), { lr: 0.2 });
    await fit(scheduled, trainSet, {
      ...options,
      epochs: 3,
      optimizer,
      scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.1 }),
    });
    expect(optimizer.lr).toBeCloseTo(0.2 * 0.1 ** 3, 12);

    const byHand = plain();
    const manual = new SGD(byHand.parameters(), { lr: 0.2 });
    for (const lr of [0.2, 0.02, 0.002]) {
      manual.lr = lr;
      await fit(byHand, trainSet, { ...options, epochs: 1, optimizer: manual });
    }
    const weights = (m: Sequential) => Object.values(m.stateDict()).map((t) => Array.from(t.dataSync()));
    expect(weights(scheduled)).toEqual(weights(byHand));
  });

  it('leaks no tensors over a run', async () => {
    const net = model(2);
    const optimizer = new Adam(net.parameters());
    await fit(net, trainSet, { epochs: 1, batchSize: 64, optimizer });
    const before = tf.memory().numTensors;
    await fit(net, trainSet, { epochs: 2, batchSize: 64, optimizer, validation: testSet, earlyStopping: { patience: 5 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says so when the loss diverges', async () => {
    const net = model(3);
    const rows = { ...trainSet, x: trainSet.x.map((v) => v * 1e15) };
    const optimizer = new SGD(net.parameters(), { lr: 1e15 });
    await expect(fit(net, rows, { epochs: 3, optimizer })).rejects.toThrow(/the loss became NaN in epoch \d; lower the learning rate/);
  });

  it('refuses early stopping without a validation set', async () => {
    const net = model(4);
    await expect(
      fit(net, trainSet, { optimizer: new Adam(net.parameters()), earlyStopping: { patience: 1 } }),
    ).rejects.toThrow(/early stopping needs a validation set/);
  });
});
