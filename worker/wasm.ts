/**
 * Starts TensorFlow.js's WebAssembly backend inside workerd.
 *
 * workerd forbids compiling WebAssembly from bytes (and eval/new Function), so tfjs-backend-wasm's own start-up
 * (`setBackend('wasm')` → fetch the .wasm → `WebAssembly.instantiate(bytes)`) never finishes there. Instead wrangler
 * imports the SIMD binary as an already compiled `WebAssembly.Module` (the CompiledWasm rule in wrangler.toml) and
 * this file hands it to tfjs's emscripten factory through emscripten's `instantiateWasm` hook, then wraps the result
 * in tfjs's own `BackendWasm`. The replacement factory is registered under the name 'wasm' so the kernels that
 * '@tensorflow/tfjs-backend-wasm' registers for 'wasm' are the ones that run.
 *
 * tfjs internals relied on (pinned to tfjs 4.22, see backend_wasm.js `init()`):
 * - '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js' is the emscripten factory for both the plain and the
 *   SIMD binary, and takes `{ instantiateWasm, locateFile, onAbort }`;
 * - `BackendWasm` (exported) takes the emscripten module after `init()` has added `module.tfjs` (the cwrap'd
 *   init_with_threads_count, get_threads_count, register_tensor, dispose_data, dispose), which is copied here;
 * - the flags WASM_HAS_SIMD_SUPPORT / WASM_HAS_MULTITHREAD_SUPPORT (set explicitly: their detection compiles bytes).
 *
 * Nothing here runs at import time except replacing the 'wasm' entry of tfjs's backend registry (a synchronous map
 * update, no I/O): the module is instantiated on the first `startBackend()` call, i.e. on the first request.
 *
 * The SDK's JPEG decoder (libjpeg in WebAssembly, sdk/image/mozjpeg.ts) needs the same treatment: its binary is
 * imported here as a compiled module too and handed over at import time (it is only stored; the SDK instantiates
 * it on the first JPEG it decodes).
 */
import * as tf from '@tensorflow/tfjs-core';
// The backends without their kernels ("base": the packages' main entries register every kernel they have); the
// kernels the Worker can run are registered by ./kernels, for both.
import '@tensorflow/tfjs-backend-cpu/dist/base';
// Registers the stock 'wasm' factory, which is replaced below.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm/dist/base';
import './kernels';
import * as emscriptenFactoryNs from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import type { BackendWasmModule, WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import jpegDecoderWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import { initJpegDecoder } from '../sdk/serve';

export type BackendName = 'wasm' | 'cpu';

/** tfjs-backend-wasm registers its backend with priority 2 (cpu has 1); keep it. */
const WASM_PRIORITY = 2;
/** Instantiating the pre-compiled module takes milliseconds; past this, give up and use cpu. */
const START_TIMEOUT_MS = 10_000;

type Factory = (config: WasmFactoryConfig) => Promise<BackendWasmModule & Cwrap>;
/** emscripten's cwrap, which the module exports (its d.ts does not declare it). */
interface Cwrap {
  cwrap(name: string, returnType: 'number' | null, argTypes: 'number'[]): (...args: number[]) => unknown;
}
// The factory is CommonJS (`module.exports = WasmBackendModule`); bundlers expose it as `default` or as the namespace.
const emscriptenFactory = ((emscriptenFactoryNs as unknown as { default?: Factory }).default ??
  emscriptenFactoryNs) as unknown as Factory;

let starting: Promise<BackendName> | undefined;
let resets = 0;
/** Why the last wasm start failed (tfjs logs and swallows factory errors: setBackend just returns false). */
let lastFailure: unknown;
/**
 * How long the start took, in ms, by the isolate's clock (coarse: workerd's clock advances only across I/O and
 * awaited work, so read it as an indication; time requests from outside for real numbers).
 */
export let startMs: number | undefined;

/**
 * Starts the tfjs backend once per isolate and tells which one runs: 'wasm' (SIMD) normally, 'cpu' (with a
 * console.warn) if the wasm module cannot be instantiated. Call it from a request handler, never at global scope.
 */
export function startBackend(): Promise<BackendName> {
  return (starting ??= start());
}

async function start(): Promise<BackendName> {
  const t0 = Date.now();
  const env = tf.env();
  // Feature detection would call WebAssembly.validate on bytes; state the facts instead.
  env.set('WASM_HAS_SIMD_SUPPORT', true);
  env.set('WASM_HAS_MULTITHREAD_SUPPORT', false); // no wasm threads in workerd
  let reason: unknown;
  try {
    if (await withTimeout(tf.setBackend('wasm'), START_TIMEOUT_MS)) {
      startMs = Date.now() - t0;
      return 'wasm';
    }
    reason = lastFailure ?? 'setBackend returned false';
  } catch (error) {
    reason = error;
  }
  console.warn(`edgeml: the wasm backend could not start (${describe(reason)}); using the slower cpu backend`);
  // Drop 'wasm' from the registry: cancels a still pending start (else tfjs keeps refusing ops until it settles)
  // and stops tfjs from picking it again on its own.
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  await tf.setBackend('cpu');
  startMs = Date.now() - t0;
  return 'cpu';
}

/**
 * Drops every backend and every tensor of the isolate, so that the next startBackend() instantiates a fresh wasm
 * module. For use after a fault inside the module (see fault.ts): its memory cannot be trusted, so the old backends
 * are told to free nothing as tfjs disposes their tensors. Whoever holds tensors rebuilds them (see backendResets).
 */
export function resetBackend(): void {
  resets++;
  const engine = tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> };
  for (const backend of Object.values(engine.registry)) {
    backend.disposeData = () => true;
    backend.dispose = () => {};
  }
  tf.engine().reset();
  starting = undefined;
  startMs = undefined;
}

/** How many times resetBackend has run in this isolate: tensors made before the latest reset are gone. */
export function backendResets(): number {
  return resets;
}

/** The replacement for tfjs-backend-wasm's factory: instantiate the imported module instead of fetching bytes. */
async function createWasmBackend(): Promise<BackendWasm> {
  try {
    return await instantiateBackend();
  } catch (error) {
    lastFailure = error;
    throw error;
  }
}

async function instantiateBackend(): Promise<BackendWasm> {
  const wasm = await new Promise<BackendWasmModule & Cwrap>((resolve, reject) => {
    const config: WasmFactoryConfig = {
      instantiateWasm: (
        imports: WebAssembly.Imports,
        receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) => {
        // With a Module argument, WebAssembly.instantiate resolves to an Instance (not {module, instance}).
        WebAssembly.instantiate(simdWasm, imports).then(
          (instance) => receiveInstance(instance, simdWasm),
          (error: unknown) => reject(error),
        );
        return {}; // tells emscripten the instantiation is asynchronous
      },
      // Only asked for the .wasm file name, which instantiateWasm makes irrelevant: never fetch anything.
      locateFile: (path: string) => path,
      onAbort: (what: string) => reject(new Error(`the wasm module aborted: ${what}`)),
    };
    emscriptenFactory(config).then(resolve, reject);
  });
  // As tfjs-backend-wasm's init() does before constructing BackendWasm.
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  } as BackendWasmModule['tfjs'];
  return new BackendWasm(wasm);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  const message = (reason as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(reason);
}

// Replace the stock 'wasm' factory (it would fetch and compile bytes, which hangs in workerd) with ours.
if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
tf.registerBackend('wasm', createWasmBackend, WASM_PRIORITY);
initJpegDecoder(jpegDecoderWasm);
