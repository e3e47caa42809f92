/**
 * Stands in for zod's `v4/locales/index.js` in the Worker's bundle (wrangler.toml [alias]): zod's index exports
 * every locale (`z.locales.fr` …, ~260 KiB of code) through the `z` namespace, which @hono/zod-openapi uses as a
 * value, so esbuild cannot drop the ones nobody calls. The Worker speaks English only: zod's default error map is
 * English (`zod/v4/locales/en.js`, which zod imports on its own and which this keeps as `z.locales.en`); the other
 * locales are simply absent from `z.locales` here.
 */
export { default as en } from 'zod/v4/locales/en.js';
