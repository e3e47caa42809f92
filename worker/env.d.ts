// Module types for the files wrangler bundles through [[rules]] in wrangler.toml (and that
// @cloudflare/vitest-pool-workers loads the same way in tests).

/** `*.wasm` → CompiledWasm rule: a WebAssembly.Module compiled by the runtime at upload/start-up. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** `*.safetensors` → Data rule: the file's bytes. */
declare module '*.safetensors' {
  const data: ArrayBuffer;
  export default data;
}
