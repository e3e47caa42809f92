import { z } from '@hono/zod-openapi';

/** `{name}` of the /v1/models/{name} routes. */
export const ModelParams = z.object({
  name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'phone-price' }),
});

/** `{name}` and `{version}` of the routes on one published version (the version is checked by servedModel). */
export const VersionParams = ModelParams.extend({
  version: z.string().openapi({ param: { name: 'version', in: 'path' }, example: '1', description: 'a published version: 1, 2, …' }),
});
