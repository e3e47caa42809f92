import type { Hono, NotFoundHandler } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';
import { ApiError, errorResponse } from './errors';

/**
 * Hono answers any unmatched request with notFound; this tells "no such path" (404 not_found) from "this path, but
 * not with this method" (405 method_not_allowed, with the Allow header RFC 9110 requires). The allowed methods come
 * from the app's own route table, read once on first use (routes are all registered by then).
 */
export function notFoundOrNotAllowed(app: Hono<any>): NotFoundHandler {
  let router: PatternRouter<string> | undefined;
  return (c) => {
    router ??= methodRouter(app);
    const allowed = allowedMethods(router, c.req.path);
    if (allowed.length === 0) {
      return errorResponse(c, new ApiError(404, 'not_found', `no route ${c.req.path}`));
    }
    const allow = allowed.join(', ');
    return errorResponse(
      c,
      new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`, { allow: allowed }, { Allow: allow }),
    );
  };
}

/** Every route (not middleware, which Hono registers as method ALL) under method ALL, with its real method as value. */
function methodRouter(app: Hono<any>): PatternRouter<string> {
  const router = new PatternRouter<string>();
  for (const { method, path } of app.routes) if (method !== 'ALL') router.add('ALL', path, method);
  return router;
}

function allowedMethods(router: PatternRouter<string>, path: string): string[] {
  const methods = new Set(router.match('ALL', path)[0].map(([method]) => method));
  if (methods.has('GET')) methods.add('HEAD'); // Hono answers HEAD with the GET handler
  return [...methods].sort();
}
