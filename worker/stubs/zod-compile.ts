/**
 * Stands in for zod's `v4/core/compile.js` (`z.compile`, its ahead-of-time compiler, ~31 KiB) in the Worker's bundle
 * (wrangler.toml [alias]). The compiler generates code with `new Function`, which workerd forbids, so in a Worker
 * `z.compile(schema)` can only hand the schema back on the runtime parser (and `{ strict: true }` throws) — which is
 * all this does, without the code generator. The Worker itself never compiles a schema.
 */
export const INVALID: unique symbol = Symbol.for('zod.compile.invalid') as never;

export class ZodCompileAsyncError extends Error {
  constructor(message = 'z.compile does not support async refinements, transforms, or checks') {
    super(message);
    this.name = 'ZodCompileAsyncError';
  }
}

export class ZodCompileUnsupportedError extends Error {
  islandable: boolean;
  constructor(feature: string, islandable = true) {
    super(`z.compile does not support ${feature}; this schema must use the runtime parser`);
    this.name = 'ZodCompileUnsupportedError';
    this.islandable = islandable;
  }
}

const UNAVAILABLE = 'this schema (code generation is not available in the Worker)';

/** As zod's compile() where `new Function` throws: the schema itself, on the runtime parser. */
export function compile<T>(schema: T, options?: { strict?: boolean }): T {
  if (options?.strict) throw new ZodCompileUnsupportedError(UNAVAILABLE);
  return schema;
}

export function withParser(): never {
  throw new ZodCompileUnsupportedError('withParser in the edgeml Worker bundle');
}

export function compileFn(): never {
  throw new ZodCompileUnsupportedError(UNAVAILABLE);
}
