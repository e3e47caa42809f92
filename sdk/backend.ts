import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { EdgeMLError } from './errors';

export type BackendName = 'wasm' | 'cpu';

let starting: Promise<BackendName> | undefined;

/**
 * Starts the tfjs backend once and tells which one runs: wasm (with SIMD where the runtime has it) unless
 * EDGEML_BACKEND=cpu, falling back to cpu with a one-line warning when wasm cannot start. EDGEML_BACKEND=wasm makes
 * that failure an error instead. The SDK's entry point awaits this in Node; the Worker starts wasm its own way
 * (worker/wasm.ts) because workerd cannot compile WebAssembly from bytes.
 */
export function ready(): Promise<BackendName> {
  return (starting ??= start(requestedBackend()));
}

export function currentBackend(): string {
  return tf.getBackend();
}

function requestedBackend(): BackendName | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env?.EDGEML_BACKEND;
  if (value === undefined || value === '') return undefined;
  if (value === 'wasm' || value === 'cpu') return value;
  throw new EdgeMLError('invalid_backend', `EDGEML_BACKEND must be "wasm" or "cpu", not "${value}"`);
}

async function start(requested: BackendName | undefined): Promise<BackendName> {
  if (requested !== 'cpu') {
    let reason: unknown = 'setBackend returned false';
    try {
      if (await withoutNewProcessHandlers(() => tf.setBackend('wasm'))) return 'wasm';
    } catch (error) {
      reason = error;
    }
    const why = reason instanceof Error ? reason.message : String((reason as { message?: string })?.message ?? reason);
    if (requested === 'wasm') throw new EdgeMLError('backend_unavailable', `the wasm backend could not start: ${why}`);
    console.warn(`edgeml: the wasm backend could not start (${why}); using the slower cpu backend`);
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` and removes the process handlers it added. tfjs-backend-wasm's Node build runs an emscripten factory
 * (wasm-out/tfjs-backend-wasm.js, called from init() in dist/tf-backend-wasm.node.js on setBackend('wasm')) that
 * adds `process.on('uncaughtException', ex => { throw ex })` and the same for 'unhandledRejection'. Rethrowing
 * from a handler makes Node exit 7 instead of 1 and print the handler's minified source line (39 KB under source
 * maps) above the user's own error. tfjs only removes them in the module's _dispose, which never runs here.
 */
async function withoutNewProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return start();
  const listeners = (event: string) => process.listeners(event as 'uncaughtException') as ((...args: unknown[]) => void)[];
  const before = PROCESS_EVENTS.map((event) => new Set(listeners(event)));
  try {
    return await start();
  } finally {
    PROCESS_EVENTS.forEach((event, i) => {
      for (const listener of listeners(event)) if (!before[i].has(listener)) process.removeListener(event, listener);
    });
  }
}
