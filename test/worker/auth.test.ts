/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The optional bearer token. The deployed Worker (SELF) has no EDGEML_API_TOKEN, so its API is open; a second app
// made with createApp gets the secret as its env binding, as wrangler would pass it.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, features, get, MODEL, viaApp } from './helpers';

const TOKEN = 'correct-horse-battery-staple';
const send = viaApp(createApp({ models: defaultModels }), { EDGEML_API_TOKEN: TOKEN });
const withToken = client((path, init) => send(path, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${TOKEN}` } }));

function request(path: string, authorization?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (authorization !== undefined) headers.set('Authorization', authorization);
  return send(path, { ...init, headers });
}

describe('without EDGEML_API_TOKEN', () => {
  it('the API is open', async () => {
    expect((await get('/v1/models')).status).toBe(200);
  });
});

describe('with EDGEML_API_TOKEN', () => {
  it('401 unauthorized with a Bearer challenge when there is no Authorization header', async () => {
    const response = await request('/v1/models');
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="edgeml"');
    await expectError(response, 401, 'unauthorized');
  });

  it.each([
    ['a wrong token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['a longer token', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 5)}`],
    ['another scheme', `Basic ${btoa(`user:${TOKEN}`)}`],
    ['the token without a scheme', TOKEN],
    ['an empty bearer', 'Bearer '],
  ])('401 unauthorized for %s', async (_, authorization) => {
    const response = await request('/v1/models', authorization);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="edgeml", error="invalid_token"');
    await expectError(response, 401, 'unauthorized');
  });

  it('401 comes before every other check on /v1 (no model names or limits leak)', async () => {
    await expectError(await request('/v1/models/nope'), 401, 'unauthorized');
    await expectError(await request(`/v1/models/${MODEL}/predict`, undefined, { method: 'POST' }), 401, 'unauthorized');
  });

  it('serves /v1 with the right token', async () => {
    expect((await withToken.get('/v1/models')).status).toBe(200);
    expect((await withToken.predict([(await features()).map(() => 1)])).status).toBe(200);
  });

  it('takes the scheme case-insensitively', async () => {
    expect((await request('/v1/models', `bearer ${TOKEN}`)).status).toBe(200);
  });

  it('leaves /healthz and /openapi.json open, and /healthz names no model without the token', async () => {
    const health = await request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', backend: 'wasm' });
    expect(await (await request('/healthz', 'Bearer wrong')).json()).toEqual({ status: 'ok', backend: 'wasm' });
    expect(await (await withToken.get('/healthz')).json()).toMatchObject({ models: [MODEL, 'features', 'digits'] });
    expect((await request('/openapi.json')).status).toBe(200);
  });
});
