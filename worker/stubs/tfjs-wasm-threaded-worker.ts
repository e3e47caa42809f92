/**
 * Stands in for tfjs-backend-wasm's `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js` (the source of the Web
 * Worker that runs wasm threads) in the Worker's bundle (wrangler.toml [alias]); see tfjs-wasm-threaded.ts.
 */
export const wasmWorkerContents = '';
