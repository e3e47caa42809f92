// Runs inside workerd (@cloudflare/vitest-pool-workers): the Worker's own fetch handler, through SELF.
// Type-checked by worker/tsconfig.json; the reference also lets the root (Node) tsconfig resolve 'cloudflare:test'.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, it } from 'vitest';
import { get, MODEL } from './helpers';

describe('GET /healthz', () => {
  it('reports status ok, the wasm backend, the served models and the live tensor count', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      backend: 'wasm',
      models: [MODEL, 'features', 'digits'],
      tensors: expect.any(Number),
    });
  });

});
