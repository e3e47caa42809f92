// Types of scripts/wrangler.mjs for the TypeScript tests that use it.
export declare const ROOT: string;
export declare const WRANGLER_ENV: Readonly<Record<string, string>>;

export interface WranglerServer {
  /** e.g. http://127.0.0.1:8787 */
  url: string;
  /** wrangler's process id, which is also its process group id. */
  pid: number | undefined;
  /** From spawning wrangler to the first 200 from readyPath. */
  readyMs: number;
  /** Everything wrangler printed so far. */
  output(): string;
  /** Stops the whole process group; true once none of its processes is left. */
  stop(): Promise<boolean>;
}

/** Another process listens on the port asked for (checked before wrangler starts, and in its output). */
export declare class PortInUseError extends Error {
  port: number;
}

/** Rejects with PortInUseError when the port is taken. */
export declare function startWrangler(options?: {
  host?: string;
  port?: number;
  /** The path polled until it answers 200 (default /healthz, which also starts the tfjs backend). */
  readyPath?: string;
  readyTimeoutMs?: number;
  echo?: boolean;
  /** Bindings given with --var, e.g. { EDGEML_ADMIN_TOKEN: '…' }. */
  vars?: Record<string, string>;
  /** The folder of wrangler's local state (the R2 bucket included); default .wrangler/state. */
  persistTo?: string;
  /** Where wrangler serves the Worker's V8 inspector (http://127.0.0.1:<port>/json); default: wrangler's choice. */
  inspectorPort?: number;
  /** Overrides wrangler.toml's `minify`; false keeps function names readable in a CPU profile. */
  minify?: boolean;
  signal?: AbortSignal;
}): Promise<WranglerServer>;

export declare function exampleInstance(): Record<string, number>;

/** A port on `host` that nothing listens on right now. */
export declare function freePort(host: string): Promise<number>;
