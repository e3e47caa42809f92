import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ready } from '../../sdk/backend';

describe('backend', () => {
  it('starts wasm by default', async () => {
    expect(await ready()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.relu(x)))(tf.tensor1d([-1, 2]));
    expect(Array.from(g.dataSync())).toEqual([0, 1]);
  });
});
