import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { AppEnv } from '../bindings';
import type { ModelRegistry } from '../registry';

const Health = z
  .object({
    status: z.literal('ok'),
    backend: z.string().openapi({ description: 'the tfjs backend running: "wasm" (SIMD), or "cpu" if wasm failed' }),
    models: z.array(z.string()),
    tensors: z.number().int().openapi({ description: 'live tfjs tensors in this isolate (constant once warm)' }),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness, the tfjs backend in use and the models served',
  responses: { 200: { description: 'The Worker is up', content: { 'application/json': { schema: Health } } } },
});

/** GET /healthz; starts the backend, so the first call also warms the isolate. */
export function healthRoutes(registry: ModelRegistry, startBackend: () => Promise<string>) {
  return new OpenAPIHono<AppEnv>().openapi(health, async (c) => {
    const backend = await startBackend();
    return c.json({ status: 'ok' as const, backend, models: registry.names(), tensors: tf.memory().numTensors }, 200);
  });
}
