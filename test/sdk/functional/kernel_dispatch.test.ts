import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { kernel } from '../../../sdk/functional/differentiable';

/*
 * kernel() calls a kernel's function itself when the engine would only pass the call on, and goes through the
 * engine otherwise. A probe kernel registered on both backends records the engine's kernel depth while it runs (the
 * engine's dispatch raises it to 1; a direct call leaves it at 0) and answers with a value naming its backend.
 */
const PROBE = 'EdgemlDispatchProbe';
const depths: number[] = [];
const engineState = () => (tf.engine() as unknown as { state: { kernelDepth: number } }).state;

function probeFor(backendName: string, mark: number): tf.KernelConfig {
  return {
    kernelName: PROBE,
    backendName,
    kernelFunc: ({ inputs, backend: anyBackend }) => {
      const backend = anyBackend as tf.KernelBackend;
      depths.push(engineState().kernelDepth);
      const x = inputs.x as tf.TensorInfo;
      const values = Float32Array.from(backend.readSync(x.dataId) as Float32Array, (v) => v + mark);
      return { dataId: backend.write(values, x.shape, 'float32'), shape: x.shape, dtype: 'float32' };
    },
  };
}

beforeAll(async () => {
  await ready();
  tf.registerKernel(probeFor('wasm', 100));
  tf.registerKernel(probeFor('cpu', 200));
});
afterAll(() => {
  tf.unregisterKernel(PROBE, 'wasm');
  tf.unregisterKernel(PROBE, 'cpu');
});
afterEach(() => {
  depths.length = 0;
});

const probe = (x: tf.Tensor) => kernel(PROBE, { x });

describe('kernel()', () => {
  it('calls the kernel itself when nothing records, and tracks its output as the engine does', () => {
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    const y = probe(x);
    expect(depths).toEqual([0]);
    expect(Array.from(y.dataSync())).toEqual([101, 102]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.tidy(() => {
      probe(x);
    });
    expect(tf.memory().numTensors).toBe(before + 1); // a tidy frees it like any other op's output
    y.dispose();
    x.dispose();
  });

  it('goes through the engine while a gradient tape records, which records the kernel', () => {
    const x = tf.variable(tf.tensor1d([1, 2]));
    const engine = tf.engine() as unknown as { startTape(): void; endTape(): void };
    const y = tf.tidy(() => {
      engine.startTape();
      try {
        return probe(x);
      } finally {
        engine.endTape();
      }
    });
    expect(depths).toEqual([1]);
    y.dispose();
    x.dispose();
  });

  it('goes through the engine while tf.profile runs, so the profile lists the kernel', async () => {
    const x = tf.tensor1d([1, 2]);
    const info = await tf.profile(() => probe(x));
    expect(depths).toEqual([1]);
    expect(info.kernelNames).toContain(PROBE);
    x.dispose();
  });

  it("goes through the engine in tfjs's DEBUG mode, which checks each kernel's output", () => {
    const x = tf.tensor1d([1, 2]);
    tf.env().set('DEBUG', true);
    try {
      tf.tidy(() => probe(x));
    } finally {
      tf.env().set('DEBUG', false);
    }
    expect(depths).toEqual([1]);
    x.dispose();
  });

  it('goes through a replaced engine dispatch (graph tracing replaces it to see every kernel)', () => {
    const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => tf.Tensor };
    const seen: unknown[] = [];
    const dispatch = engine.runKernel;
    engine.runKernel = function (name, ...rest) {
      seen.push(name);
      return dispatch.call(engine, name, ...rest);
    };
    try {
      const x = tf.tensor1d([1]);
      tf.tidy(() => probe(x));
      x.dispose();
    } finally {
      delete (engine as { runKernel?: unknown }).runKernel;
    }
    expect(seen).toEqual([PROBE]);
  });

  it("calls the current backend's kernel after the backend changes", async () => {
    const values = () => tf.tidy(() => Array.from(probe(tf.tensor1d([1])).dataSync()));
    const wasm = tf.getBackend();
    expect(values()).toEqual([wasm === 'cpu' ? 201 : 101]);
    await tf.setBackend(wasm === 'cpu' ? 'wasm' : 'cpu');
    try {
      expect(values()).toEqual([wasm === 'cpu' ? 101 : 201]);
    } finally {
      await tf.setBackend(wasm);
    }
    expect(values()).toEqual([wasm === 'cpu' ? 201 : 101]);
  });

  it("names the kernel and backend when the backend lacks it, as the engine's message does", () => {
    const x = tf.tensor1d([1]);
    expect(() => kernel('EdgemlNoSuchKernel', { x })).toThrow(/Kernel 'EdgemlNoSuchKernel' not registered for backend '(wasm|cpu)'/);
    x.dispose();
  });
});
