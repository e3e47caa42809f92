import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Dropout } from '../../../sdk/nn/dropout';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

describe('nn.Dropout', () => {
  it('zeroes about p of the elements in training and scales the rest by 1/(1−p)', () => {
    const out = Array.from(new Dropout(0.25, new Generator(1)).forward(tf.ones([100, 100])).dataSync());
    const zeros = out.filter((v) => v === 0).length;
    expect(zeros / out.length).toBeGreaterThan(0.23);
    expect(zeros / out.length).toBeLessThan(0.27);
    expect(new Set(out.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / 0.75)]));
  });

  it('is the identity in eval mode', () => {
    const x = tf.randomNormal([4, 5]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
  });

  it('draws the same mask from the same seed', () => {
    const a = new Dropout(0.5, new Generator(4)).forward(tf.ones([50]));
    const b = new Dropout(0.5, new Generator(4)).forward(tf.ones([50]));
    expect(a.dataSync()).toEqual(b.dataSync());
  });

  it('zeroes everything at p = 1 and passes everything at p = 0', () => {
    expect(Array.from(new Dropout(1).forward(tf.ones([3])).dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(new Dropout(0).forward(tf.ones([3])).dataSync())).toEqual([1, 1, 1]);
  });

  it('rejects a probability outside [0, 1]', () => {
    expect(() => new Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });
});
