import { OpenAPIHono } from '@hono/zod-openapi';
import { BEARER_SCHEME, bearerAuth } from './auth';
import type { AppEnv } from './bindings';
import { onError, validationHook } from './errors';
import { notFoundOrNotAllowed } from './not-found';
import type { ModelSources } from './registry/built-in';
import { DEFAULT_REGISTRY_OPTIONS, ModelCatalog, type RegistryOptions } from './registry/catalog';
import { healthRoutes } from './routes/health';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image/limits';
import { imageRoutes } from './routes/image';
import { modelRoutes, type PredictLimits } from './routes/models';
import { pageRoutes } from './routes/page';
import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits, registryRoutes } from './routes/registry';
import { backendResets, resetBackend, startBackend } from './wasm';
import { recoverFromBackendFaults } from './fault';
import { PredictionsFirst } from './priority';

export type { ModelSource, ModelSources } from './registry/built-in';
export type { RegistryOptions } from './registry/catalog';
export type { PredictLimits } from './routes/models';
export type { RegistryLimits } from './routes/registry';
export type { ImageLimits } from './image/limits';

export interface AppOptions {
  /** The bundles to serve, by URL name: model.json's content and model.safetensors' bytes. */
  models: ModelSources;
  /**
   * Overrides of the request limits (README: Security): `predict` for /predict, `image` for the image routes,
   * `registry` for uploads.
   */
  limits?: { predict?: Partial<PredictLimits>; image?: Partial<ImageLimits>; registry?: Partial<RegistryLimits> };
  /** How long an isolate trusts its copy of a model's index, and how many bytes of published models it keeps built. */
  registry?: Partial<RegistryOptions>;
}

export const DEFAULT_LIMITS: PredictLimits = { maxBodyBytes: 1024 * 1024, maxInstances: 1024 };

/**
 * The edgeml HTTP API as a Hono app (use it as a Worker's default export, or mount it in yours). Throws BundleError
 * if a manifest is invalid; weights are checked when the model is first used.
 */
export function createApp({ models, limits, registry }: AppOptions): OpenAPIHono<AppEnv> {
  const backend = { start: startBackend, resets: backendResets };
  const catalog = new ModelCatalog(models, backend, { ...DEFAULT_REGISTRY_OPTIONS, ...registry });
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.use('*', recoverFromBackendFaults(resetBackend));
  app.notFound(notFoundOrNotAllowed(app));
  app.use('/v1/*', bearerAuth());
  app.route('/', healthRoutes(catalog, startBackend));
  const imageLimits = { ...DEFAULT_IMAGE_LIMITS, ...limits?.image };
  const predictionsFirst = new PredictionsFirst(imageLimits.admission.giveWayMs);
  app.route('/', modelRoutes(catalog, { ...DEFAULT_LIMITS, ...limits?.predict }, predictionsFirst.counted));
  app.route('/', registryRoutes(catalog, { ...DEFAULT_REGISTRY_LIMITS, ...limits?.registry }));
  app.route('/', imageRoutes(catalog, startBackend, imageLimits, predictionsFirst.giveWay));
  app.route('/', pageRoutes());
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', BEARER_SCHEME);
  app.doc('/openapi.json', { openapi: '3.0.3', info: { title: 'edgeml', version: '1' } });
  return app;
}
