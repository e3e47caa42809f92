/** What the Worker reads from its environment (wrangler secrets, .dev.vars). */
export interface Bindings {
  /** When set, /v1/* requires `Authorization: Bearer <this token>`; when unset the API is open. */
  EDGEML_API_TOKEN?: string;
}

/** The Hono environment of every edgeml route and middleware. */
export interface AppEnv {
  Bindings: Bindings;
}
