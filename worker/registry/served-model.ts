import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../bindings';
import { ApiError } from '../errors';
import type { ModelCatalog } from './catalog';

/** A version number as URLs write it: 1, 2, …; anything else names no version. */
const VERSION = /^[1-9][0-9]{0,8}$/;

/**
 * Resolves the route's `{name}` (and `{version}`, when the route pins one) to the model to serve, as `c.var.model`:
 * 404 for an unknown model or version before the body is looked at. A POST runs the model (predict, transform), so
 * the backend starts while the registry is read, rather than after.
 */
export function servedModel(catalog: ModelCatalog): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const name = c.req.param('name') ?? '';
    const version = c.req.param('version');
    const resolving = catalog.resolve(c.env?.MODELS, name, version === undefined ? undefined : parseVersion(name, version));
    if (c.req.method === 'POST') catalog.startBackend();
    c.set('model', await resolving);
    return next();
  };
}

/** The `{version}` of a URL as a number; 404 version_not_found for anything but 1, 2, …. */
export function parseVersion(name: string, version: string): number {
  if (!VERSION.test(version)) {
    throw new ApiError(404, 'version_not_found', `model versions are whole numbers from 1; got ${JSON.stringify(version)}`, {
      model: name,
    });
  }
  return Number(version);
}
