import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { selectRows, type Dataset } from '../../../sdk/data/dataset';
import { BatchSampler } from '../../../sdk/data/sampler';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import { SGD } from '../../../sdk/optim/sgd';
import { Generator } from '../../../sdk/random';
import { fit } from '../../../sdk/train/fit';
import { argmaxRows } from '../../../sdk/inference/scores';
import { stepKeepingOutput } from '../../../sdk/train/step';

beforeAll(ready);

function dataset(rows: number): Dataset {
  const random = new Generator(5);
  const x = random.uniform(rows * 4, -1, 1);
  const y = Int32Array.from({ length: rows }, (_, r) => (x[r * 4] + x[r * 4 + 1] > 0 ? 1 : 0) + (x[r * 4 + 2] > 0.5 ? 1 : 0));
  return { features: ['a', 'b', 'c', 'd'], target: 'class', x, y, rows };
}

function model(): Sequential {
  const generator = new Generator(9);
  return new Sequential(new Linear(4, 8, { generator }), new ReLU(), new Linear(8, 3, { generator }));
}

describe('train.fit reads its results back once per group of steps', () => {
  // 300 batches of one row: more steps than fit lets wait on the backend before reading them (256).
  it('and reports the loss and accuracy a step-by-step loop over the same batches adds up', async () => {
    const data = dataset(300);
    const options = { epochs: 1, batchSize: 1, shuffle: true, seed: 3 };
    const fitted = model();
    const optimizer = new SGD(fitted.parameters(), { lr: 0.05 });
    const [record] = (await fit(fitted, data, { ...options, optimizer })).epochs;

    const stepped = model();
    const stepper = new SGD(stepped.parameters(), { lr: 0.05 });
    let lossSum = 0;
    let correct = 0;
    for (const indices of new BatchSampler(data.rows, { batchSize: 1, shuffle: true, seed: 3 })) {
      const batch = selectRows(data, indices);
      const x = tf.tensor2d(batch.x, [1, 4]);
      const { loss, output: logits } = stepKeepingOutput(stepped, { x, y: batch.y }, { optimizer: stepper });
      lossSum += loss.dataSync()[0];
      correct += argmaxRows(logits.dataSync() as Float32Array, 3)[0] === batch.y[0] ? 1 : 0;
      tf.dispose([x, loss, logits]);
    }
    expect(record.loss).toBe(lossSum / 300);
    expect(record.accuracy).toBe(correct / 300);
    const weights = (m: Sequential) => Object.values(m.stateDict()).map((t) => Array.from(t.dataSync()));
    expect(weights(fitted)).toEqual(weights(stepped));
  });
});
