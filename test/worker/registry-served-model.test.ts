// The servedModel middleware: which model a route's {name} serves, and the backend started while the registry is read.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../worker/bindings';
import { defaultModels } from '../../worker/models';
import { ModelCatalog } from '../../worker/registry/catalog';
import { servedModel } from '../../worker/registry/served-model';

/** Lets pending promise callbacks run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A route behind servedModel, on a catalog whose backend only records its starts and whose bucket holds each index
 * read until `answer()` says there is no published version. `events` lists the starts and reads in order.
 */
function route(method: 'GET' | 'POST') {
  const events: string[] = [];
  const pending: (() => void)[] = [];
  const backend = { start: async () => void events.push('backend start'), resets: () => 0 };
  const bucket = {
    get: (key: string) => {
      events.push(`read ${key}`);
      return new Promise((resolve) => pending.push(() => resolve(null)));
    },
  } as unknown as R2Bucket;
  const catalog = new ModelCatalog(defaultModels, backend);
  const app = new Hono<AppEnv>().on(method, '/v1/models/:name/predict', servedModel(catalog), (c) =>
    c.json({ model: c.var.model.name, version: c.var.model.version }),
  );
  const answer = () => pending.splice(0).forEach((resolve) => resolve());
  const request = () => app.request('/v1/models/phone-price/predict', { method }, { MODELS: bucket });
  return { events, answer, request };
}

describe('servedModel', () => {
  it('starts the backend of a POST, which runs the model, while the registry is still being read', async () => {
    const { events, answer, request } = route('POST');
    const response = request();
    await settled();
    expect(events).toEqual(['read models/phone-price/index.json', 'backend start']);
    answer();
    expect(await (await response).json()).toEqual({ model: 'phone-price', version: null });
  });

  it('starts nothing for a GET, which only reads about the model', async () => {
    const { events, answer, request } = route('GET');
    const response = request();
    await settled();
    answer();
    expect((await response).status).toBe(200);
    expect(events).toEqual(['read models/phone-price/index.json']);
  });
});
