/**
 * Stands in for tfjs-backend-wasm's multi-threaded emscripten glue (`wasm-out/tfjs-backend-wasm-threaded-simd.js`,
 * ~35 KiB) in the Worker's bundle (wrangler.toml [alias]). tfjs's backend module imports it for its own `init()`,
 * which picks it only where WebAssembly threads exist; workerd has none, and the Worker never calls that `init()`
 * (worker/wasm.ts starts the single-threaded SIMD module itself).
 */
export default function WasmBackendModuleThreadedSimd(): Promise<never> {
  return Promise.reject(new Error('the multi-threaded tfjs wasm module is not part of the edgeml Worker bundle'));
}
