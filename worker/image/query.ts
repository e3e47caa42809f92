import type { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../bindings';
import { ApiError } from '../errors';

/** The JSON form takes its parameters from the body: query parameters (other than format=json) are refused. */
export function refuseQuery(query: Record<string, string | undefined>): void {
  for (const [field, value] of Object.entries(query)) {
    if (value === undefined || (field === 'format' && value === 'json')) continue;
    throw new ApiError(
      422,
      'invalid_request',
      `"${field}": query parameters are for image bodies; a JSON body carries its parameters itself ` +
        '(and is answered in JSON)',
      { field },
    );
  }
}

/** 422 invalid_request for a query parameter the route does not take (a typo must not be silently ignored). */
export function knownQuery(schema: z.ZodObject): MiddlewareHandler<AppEnv> {
  const names = Object.keys(schema.shape);
  return async (c, next) => {
    for (const field of Object.keys(c.req.queries())) {
      if (!names.includes(field)) {
        const message = `unknown query parameter "${field}"; this route takes ${names.join(', ')}`;
        throw new ApiError(422, 'invalid_request', message, { field });
      }
    }
    return next();
  };
}
