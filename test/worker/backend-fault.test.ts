/// <reference types="@cloudflare/vitest-pool-workers/types" />
// A fault inside the wasm backend must not outlive its request: that request answers 503 backend_fault, and the next
// one finds a fresh backend and rebuilt models. The fault is injected by breaking the running backend instance the
// way a trap leaves it: every later read from it traps too, until the instance is replaced.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { createApp } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, viaApp } from './helpers';

const row = [842, 0, 2.2, 0, 1, 0, 7, 0.6, 188, 2, 2, 20, 756, 2549, 9, 7, 19, 0, 0, 1];

function breakBackend(): void {
  const backend = tf.backend();
  const trap = () => {
    throw new WebAssembly.RuntimeError('memory access out of bounds');
  };
  backend.readSync = trap;
  backend.read = trap;
}

describe('a fault inside the wasm backend', () => {
  it('answers its own request 503 and leaves the next requests answered as before', async () => {
    const send = viaApp(createApp({ models: defaultModels }));
    const api = client(send);
    const before = await api.predict([row]);
    expect(before.status).toBe(200);
    const expected = await before.json();
    const warmTensors = await api.tensors();

    breakBackend();
    const faulted = await api.predict([row]);
    expect(faulted.headers.get('Retry-After')).toBe('1');
    await expectError(faulted, 503, 'backend_fault');

    const after = await api.predict([row]);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(expected);
    const health = await (await api.get('/healthz')).json();
    expect(health).toMatchObject({ status: 'ok', backend: 'wasm', tensors: warmTensors });
    const png = encodePng(solid(8, 8, 0, 1));
    const image = await send('/v1/image/pool', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    expect(image.status).toBe(200);
  });

  it('is told apart from errors that are not faults, which leave the backend alone', async () => {
    const api = client(viaApp(createApp({ models: defaultModels })));
    expect((await api.predict([row])).status).toBe(200);
    const backend = tf.backend();
    await expectError(await api.predict([[1, 2, 3]]), 422, 'invalid_input');
    expect(tf.backend()).toBe(backend);
  });
});
