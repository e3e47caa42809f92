import type { ServedModel } from './registry/catalog';

/** What the Worker reads from its environment (wrangler.toml bindings, secrets, .dev.vars). */
export interface Bindings {
  /** When set, /v1/* requires `Authorization: Bearer <this token>` (or the admin token); when unset the API is open. */
  EDGEML_API_TOKEN?: string;
  /** When set, the registry's write routes take `Authorization: Bearer <this token>`; when unset they answer 403. */
  EDGEML_ADMIN_TOKEN?: string;
  /** The model registry's bucket; without it the Worker serves its built-in models only. */
  MODELS?: R2Bucket;
}

/**
 * The Hono environment of every edgeml route and middleware: `model` is set by the servedModel middleware,
 * `giveWay` (PredictionsFirst.giveWay, awaited between an image request's steps) by the image routes.
 */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { model: ServedModel; giveWay: () => Promise<void> };
}
