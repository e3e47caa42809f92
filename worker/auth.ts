import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './bindings';
import { ApiError } from './errors';

const REALM = 'Bearer realm="edgeml"';

/**
 * Optional bearer auth: when the EDGEML_API_TOKEN secret is set (non-empty), requests need
 * `Authorization: Bearer <token>` (the admin token also reads), else 401 unauthorized with a WWW-Authenticate
 * challenge; when unset, everything passes. Secrets are read per request because Workers only hand bindings to
 * handlers.
 */
export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    refuse(await readAccessOf(c));
    return next();
  };
}

/**
 * The registry's write routes: `Authorization: Bearer <EDGEML_ADMIN_TOKEN>`, else 401; 403 registry_read_only while
 * no admin token is configured, so that publishing is off until someone turns it on.
 */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.env?.EDGEML_ADMIN_TOKEN) {
      throw new ApiError(
        403,
        'registry_read_only',
        'publishing is disabled: set the EDGEML_ADMIN_TOKEN secret (`npx wrangler secret put EDGEML_ADMIN_TOKEN`, or ' +
          'a line EDGEML_ADMIN_TOKEN=... in .dev.vars for npm start) and send it as "Authorization: Bearer <token>"',
      );
    }
    refuse(await adminAccessOf(c));
    return next();
  };
}

function refuse(access: Access): void {
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
}

/** Whether this request may see what the token guards (model names): always while no EDGEML_API_TOKEN is set. */
export async function isAuthorized(c: Context<AppEnv>): Promise<boolean> {
  return (await readAccessOf(c)) === 'granted';
}

type Access = 'granted' | 'no-token' | 'wrong-token';

const adminAccessOf = (c: Context<AppEnv>) => tokenAccess(c, c.env?.EDGEML_ADMIN_TOKEN);

/** The read token's verdict, except that a configured admin token reads too. */
async function readAccessOf(c: Context<AppEnv>): Promise<Access> {
  const access = await tokenAccess(c, c.env?.EDGEML_API_TOKEN);
  if (access !== 'granted' && c.env?.EDGEML_ADMIN_TOKEN && (await adminAccessOf(c)) === 'granted') return 'granted';
  return access;
}

/** 'granted' when no token is expected or the bearer token is `expected`. */
async function tokenAccess(c: Context<AppEnv>, expected: string | undefined): Promise<Access> {
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
