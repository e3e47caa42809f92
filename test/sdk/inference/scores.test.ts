import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Linear, ReLU, Sequential } from '../../../sdk/nn/index';
import { Generator } from '../../../sdk/random';
import { classScores } from '../../../sdk/inference/scores';

beforeAll(ready);

describe('train.classScores', () => {
  it("gives the model's eval-mode scores and their softmax, and restores the mode", () => {
    const generator = new Generator(11);
    const model = new Sequential(new Linear(6, 16, { generator }), new ReLU(), new Linear(16, 3, { generator }));
    const x = generator.uniform(5 * 6, -3, 3);
    const { logits, probabilities, classes } = classScores(model, x, 6);
    expect(classes).toBe(3);
    expect(model.training).toBe(true);
    const expected = tf.tidy(() => model.eval().forward(tf.tensor2d(x, [5, 6])));
    model.train();
    expect(Array.from(logits)).toEqual(Array.from(expected.dataSync()));
    const softmax = tf.softmax(expected).dataSync();
    probabilities.forEach((p, i) => expect(p).toBeCloseTo(softmax[i], 6));
    for (let r = 0; r < 5; r++) expect(probabilities[r * 3] + probabilities[r * 3 + 1] + probabilities[r * 3 + 2]).toBeCloseTo(1, 6);
  });

  it('keeps huge scores finite: each row is shifted by its maximum', () => {
    const big = new Sequential(new Linear(1, 2));
    big.loadStateDict({ '0.weight': tf.tensor2d([1e4, -1e4], [2, 1]), '0.bias': tf.zeros([2]) });
    const { probabilities } = classScores(big, new Float32Array([1]), 1);
    expect(Array.from(probabilities)).toEqual([1, 0]);
  });
});
