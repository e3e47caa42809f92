import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './bindings';
import { ApiError } from './errors';

const REALM = 'Bearer realm="edgeml"';

/**
 * Optional bearer auth: when the EDGEML_API_TOKEN secret is set (non-empty), requests need
 * `Authorization: Bearer <token>`, else 401 unauthorized with a WWW-Authenticate challenge; when unset, everything
 * passes. The secret is read per request because Workers only hand bindings to handlers.
 */
export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const access = await accessOf(c);
    if (access === 'no-token') {
      throw new ApiError(401, 'unauthorized', 'this API needs an "Authorization: Bearer <token>" header', undefined, {
        'WWW-Authenticate': REALM,
      });
    }
    if (access === 'wrong-token') {
      throw new ApiError(401, 'unauthorized', 'the bearer token is missing or wrong', undefined, {
        'WWW-Authenticate': `${REALM}, error="invalid_token"`,
      });
    }
    return next();
  };
}

/** Whether this request may see what the token guards (model names): always while no EDGEML_API_TOKEN is set. */
export async function isAuthorized(c: Context<AppEnv>): Promise<boolean> {
  return (await accessOf(c)) === 'granted';
}

async function accessOf(c: Context<AppEnv>): Promise<'granted' | 'no-token' | 'wrong-token'> {
  const expected = c.env?.EDGEML_API_TOKEN;
  if (!expected) return 'granted';
  const header = c.req.header('Authorization');
  if (header === undefined) return 'no-token';
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match !== null && (await sameSecret(match[1], expected)) ? 'granted' : 'wrong-token';
}

/**
 * Compares in time independent of where the strings differ or how long they are: both are hashed to 32 bytes
 * first, then every byte pair is compared without an early exit. Portable (workerd's crypto.subtle.timingSafeEqual
 * is not in other runtimes createApp may run on).
 */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** The OpenAPI security scheme createApp registers, and the requirement the /v1 routes declare. */
export const BEARER_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  description: 'Required only when the Worker has the EDGEML_API_TOKEN secret.',
} as const;
export const BEARER_SECURITY = [{ bearer: [] }];
