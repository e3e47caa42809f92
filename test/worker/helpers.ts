// Requests to the Worker under test. Most tests go through SELF, the Worker as wrangler.toml's main, inside workerd;
// `client(viaApp(app, env))` sends the same requests to an app made with createApp (e.g. with a secret binding).
import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';

export const MODEL = 'phone-price';
const ORIGIN = 'http://edgeml.test';

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

export const viaSelf: Fetcher = (path, init) => SELF.fetch(`${ORIGIN}${path}`, init);

/** Calls `app`'s fetch handler directly, with `env` as its bindings. */
export function viaApp(
  app: { request(path: string, init: RequestInit | undefined, env: object): Response | Promise<Response> },
  env: object = {},
): Fetcher {
  return async (path, init) => app.request(path, init, env);
}

export function client(send: Fetcher) {
  const get = (path: string, init?: RequestInit) => send(path, init);

  /** POSTs `body` (JSON-encoded unless a string or a stream), as application/json unless `headers` say otherwise. */
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
    });

  const predict = (instances: unknown, model = MODEL) => post(`/v1/models/${model}/predict`, { instances });

  /** The model's feature names, in manifest order. */
  const features = async (model = MODEL): Promise<string[]> =>
    ((await (await get(`/v1/models/${model}`)).json()) as { preprocess: { features: string[] } }).preprocess.features;

  /** The live tfjs tensor count /healthz reports. */
  const tensors = async (): Promise<number> => ((await (await get('/healthz')).json()) as { tensors: number }).tensors;

  return { get, post, predict, features, tensors };
}

export const { get, post, predict, features } = client(viaSelf);

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Asserts the DESIGN.md error shape, `status` and `code`, and returns the error for further checks. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorBody['error']> {
  const body = (await response.json()) as ErrorBody;
  expect({ status: response.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.error.message).toEqual(expect.any(String));
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

/** An object instance: `values[i]` under `names[i]`. */
export function keyed(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}
