/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Every error the API answers with: DESIGN.md's shape {"error": {code, message, details?}}, a 4xx status, and for
// bad values the offending instance (index) and feature (field).
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, features, get, keyed, MODEL, post, predict } from './helpers';

const PREDICT = `/v1/models/${MODEL}/predict`;
const MIB = 1024 * 1024;

let names: string[];
let row: number[];
beforeAll(async () => {
  names = await features();
  row = names.map(() => 1);
});

/** A body of `bytes` bytes that is valid JSON (so only its size is wrong). */
function jsonOfSize(bytes: number): string {
  const prefix = '{"instances":[],"pad":"';
  return `${prefix}${'x'.repeat(bytes - prefix.length - 2)}"}`;
}

describe('400 malformed_json', () => {
  it.each([
    ['truncated JSON', '{"instances": [[1, 2'],
    ['an empty body', ''],
    ['NaN, which JSON does not have', `{"instances": [[NaN]]}`],
    ['single quotes', "{'instances': []}"],
  ])('for %s', async (_, body) => {
    await expectError(await post(PREDICT, body), 400, 'malformed_json');
  });
});

describe('404', () => {
  it('model_not_found for an unknown model, listing the available ones', async () => {
    for (const response of [await get('/v1/models/nope'), await predict([row], 'nope')]) {
      const error = await expectError(response, 404, 'model_not_found');
      expect(error.details).toEqual({ model: 'nope', available: [MODEL, 'features', 'digits'] });
    }
  });

  it('model_not_found for names that are Object.prototype members', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      await expectError(await get(`/v1/models/${name}`), 404, 'model_not_found');
    }
  });

  it('model_not_found before the body is looked at', async () => {
    await expectError(await post('/v1/models/nope/predict', 'not json', { 'Content-Type': 'text/plain' }), 404, 'model_not_found');
  });

  it('not_found for an unknown path', async () => {
    await expectError(await get('/v2/models'), 404, 'not_found');
    await expectError(await get(`/v1/models/${MODEL}/predict/more`), 404, 'not_found');
  });
});

describe('405 method_not_allowed with an Allow header', () => {
  it.each([
    ['GET', PREDICT, 'POST'],
    ['PUT', PREDICT, 'POST'],
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['POST', `/v1/models/${MODEL}`, 'GET, HEAD, PUT'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PATCH', '/openapi.json', 'GET, HEAD'],
  ])('%s %s → Allow: %s', async (method, path, allow) => {
    const response = await get(path, { method });
    expect(response.headers.get('Allow')).toBe(allow);
    const error = await expectError(response, 405, 'method_not_allowed');
    expect(error.details).toEqual({ allow: allow.split(', ') });
  });
});

describe('413 payload_too_large', () => {
  it('for more than 1024 instances', async () => {
    const error = await expectError(await predict(Array.from({ length: 1025 }, () => row)), 413, 'payload_too_large');
    expect(error.details).toEqual({ field: 'instances', limit: 1024 });
  });

  it('for a body over 1 MiB with Content-Length', async () => {
    const error = await expectError(await post(PREDICT, jsonOfSize(MIB + 1)), 413, 'payload_too_large');
    expect(error.details).toEqual({ limit_bytes: MIB });
  });

  it('for a chunked body over 1 MiB (no Content-Length), counting the streamed bytes', async () => {
    const chunk = new TextEncoder().encode(jsonOfSize(64 * 1024));
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++chunks > 32) return controller.close(); // 2 MiB in all
        controller.enqueue(chunk);
      },
    });
    await expectError(await post(PREDICT, body), 413, 'payload_too_large');
  });

  it('not for a body of exactly 1 MiB', async () => {
    const response = await post(PREDICT, jsonOfSize(MIB));
    expect(new TextEncoder().encode(jsonOfSize(MIB)).length).toBe(MIB);
    await expectError(response, 422, 'invalid_request'); // past the size check: the empty instances list is next
  });
});

describe('415 unsupported_media_type', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a JSON look-alike', 'application/jsonp'],
    ['a media type parameter without a value', 'application/json; charset'],
  ])('for %s', async (_, type) => {
    await expectError(await post(PREDICT, { instances: [row] }, { 'Content-Type': type }), 415, 'unsupported_media_type');
  });

  it('for no Content-Type at all', async () => {
    const response = await get(PREDICT, { method: 'POST', body: new Blob([JSON.stringify({ instances: [row] })]) });
    await expectError(response, 415, 'unsupported_media_type');
  });
});

describe('422 invalid_request: a body that is JSON but not {"instances": [...]}', () => {
  it.each([
    ['an array', [[1, 2]]],
    ['a string', 'text'],
    ['null', null],
    ['a number', 42],
    ['no instances', {}],
    ['instances not a list', { instances: { a: 1 } }],
    ['an empty instances list', { instances: [] }],
  ])('for %s', async (_, body) => {
    await expectError(await post(PREDICT, JSON.stringify(body)), 422, 'invalid_request');
  });
});

describe('422 invalid_input with the offending instance (index) and feature (field)', () => {
  /** Sends [good, good, bad] so the index is checked too. */
  async function expectInvalid(bad: unknown, field: string | number | undefined): Promise<void> {
    const error = await expectError(await predict([row, keyed(names, row), bad]), 422, 'invalid_input');
    expect(error.details).toEqual(field === undefined ? { index: 2 } : { index: 2, field });
  }
  const withValue = (value: unknown, at = 3) => row.map((v, i) => (i === at ? value : v));

  it('too few values', () => expectInvalid(row.slice(1), names.length - 1));
  it('too many values', () => expectInvalid([...row, 1], names.length));
  it.each([
    ['a string', 'x'],
    ['a numeric string', '5'],
    ['"NaN"', 'NaN'],
    ['"Infinity"', 'Infinity'],
    ['null', null],
    ['true', true],
    ['a nested array', [1]],
    ['an object', { value: 1 }],
    ['a number beyond float32 (1e39)', 1e39],
  ])('%s as a value in an array instance', (_, value) => expectInvalid(withValue(value), 3));
  it.each([
    ['a string', 'x'],
    ['null', null],
    ['a nested array', [[1]]],
    ['"-Infinity"', '-Infinity'],
  ])('%s as a value in an object instance', (_, value) => expectInvalid(keyed(names, withValue(value, 5)), names[5]));
  it('an unknown feature name', () => expectInvalid({ ...keyed(names, row), colour: 1 }, 'colour'));
  it('a "__proto__" key', () => expectInvalid(JSON.parse(`{"__proto__": 1, ${JSON.stringify(keyed(names, row)).slice(1)}`), '__proto__'));
  it('a missing feature', () => {
    const { [names[0]]: _, ...rest } = keyed(names, row);
    return expectInvalid(rest, names[0]);
  });
  it.each([
    ['null', null],
    ['a number', 7],
    ['a string', 'phone'],
  ])('an instance that is %s', (_, instance) => expectInvalid(instance, undefined));
});
