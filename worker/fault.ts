import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './bindings';

/**
 * A trap inside the wasm backend (an out-of-bounds access, an abort): the module's memory and tfjs's bookkeeping are
 * in doubt after it, and every later op of the isolate may fail the same way.
 */
export function isBackendFault(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError;
}

/**
 * Runs `recover` after a request that ended in a backend fault (answered by onError as 503 backend_fault), so that
 * the fault does not outlive its request: the next request finds a fresh backend and rebuilt models.
 */
export function recoverFromBackendFaults(recover: () => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (isBackendFault(c.error)) recover();
  };
}
