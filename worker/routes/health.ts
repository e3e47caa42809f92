import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import { isAuthorized } from '../auth';
import type { AppEnv } from '../bindings';
import type { ModelCatalog } from '../registry/catalog';

const Health = z
  .object({
    status: z.literal('ok'),
    backend: z.string().openapi({ description: 'the tfjs backend running: "wasm" (SIMD), or "cpu" if wasm failed' }),
    models: z
      .array(z.string())
      .optional()
      .openapi({ description: 'the models served; left out for a caller without the token when EDGEML_API_TOKEN is set' }),
    tensors: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'live tfjs tensors in this isolate (constant once warm); left out as models is' }),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness, the tfjs backend in use and the models served',
  responses: { 200: { description: 'The Worker is up', content: { 'application/json': { schema: Health } } } },
});

/** GET /healthz; starts the backend, so the first call also warms the isolate. */
export function healthRoutes(catalog: ModelCatalog, startBackend: () => Promise<string>) {
  return new OpenAPIHono<AppEnv>().openapi(health, async (c) => {
    const backend = await startBackend();
    if (!(await isAuthorized(c))) return c.json({ status: 'ok' as const, backend }, 200);
    return c.json({ status: 'ok' as const, backend, models: await catalog.names(c.env?.MODELS), tensors: tf.memory().numTensors }, 200);
  });
}
