/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Property-based HTTP tests, inside workerd (the one place for them; it replaces robustness.test.ts): generated and
// mutated requests to every POST route, and any method on any path, never get a 5xx. For every generated request:
//   1. the answer is a 2xx of the route's kind (a prediction, a feature-map PNG, an output tensor in JSON) or a 4xx
//      with exactly DESIGN.md's error shape {"error": {"code", "message", "details"?}};
//   2. the isolate keeps serving: the valid request sent right after it gets the same answer as before the run;
//   3. no tensor leaks: /healthz's tensor count is the same after each property as before it.
// Fixed seed and bounded runs as test/helpers/properties.ts (the SDK's): EDGEML_PROPERTY_RUNS (default 200) runs per
// property. Most go to the app's fetch handler directly: through SELF each request gets slower the more the test has
// sent (cloudflare/workers-sdk#15446); a smaller run goes through SELF, as a client's requests arrive.
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import worker from '../../worker/index';
import { fromBase64 } from '../worker-node/corpus-context';
import { mutatedBytes } from '../helpers/mutations';
import { client, type Fetcher, MODEL, viaApp, viaSelf } from './helpers';

// ---- Set-up ----

const SEED = 20261126; // test/helpers/properties.ts's
const RUNS = inject('propertyRuns');
const parameters = (numRuns = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns });
/** A few ms per run directly (more with EDGEML_PROPERTY_RUNS), over a minute for 600 runs through SELF. */
const TIMEOUT = 60_000 + RUNS * 30;

const direct = viaApp(worker);
const PREDICT = `/v1/models/${MODEL}/predict`;
const CONV = '/v1/image/conv2d';
const POOL = '/v1/image/pool';
const TRANSFORM = '/v1/models/features/transform';
const KERNELS = ['sobel_x', 'sobel_y', 'blur', 'sharpen', 'edge'];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const { files: corpus } = inject('badCorpus');
/** Valid images of every kind the codec reads: the image fixtures and the corpus's valid ones. */
const images: Uint8Array[] = [
  ...Object.values(inject('imageParity')?.images ?? {}),
  ...['rgb-16x12.png', 'rgb-16x12.jpg', 'cmyk.jpg', 'alpha-16x12.png', 'gray-16x12.png', 'one-pixel.png'].map((name) => corpus[name]),
].map(fromBase64);

let names: string[];
let row: number[];
beforeAll(async () => {
  names = await client(direct).features();
  row = JSON.parse(new TextDecoder().decode(fromBase64(corpus['valid.json']))).instances[0];
});

// ---- What every answer must be ----

/** What a 2xx must be: a prediction, a feature map (PNG or JSON), an output tensor, or (any) whatever the route gives. */
type Kind = 'predict' | 'image' | 'tensor' | 'any';

interface ErrorBody {
  error: { code: unknown; message: unknown; details?: unknown };
}

/** Property 1, for a response of a route of `kind`; consumes the body (which a HEAD answer does not have). */
async function expectWellFormed(response: Response, kind: Kind, method = 'POST'): Promise<void> {
  const status = response.status;
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0];
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = () => new TextDecoder().decode(bytes);
  const where = `${status} ${type}: ${text().slice(0, 300)}`;
  expect((status >= 200 && status < 300) || (status >= 400 && status < 500), where).toBe(true);
  if (method === 'HEAD') return expect(bytes.length, where).toBe(0);
  if (status >= 400) {
    expect(type, where).toBe('application/json');
    const body = JSON.parse(text()) as ErrorBody;
    expect(Object.keys(body), where).toEqual(['error']);
    const { code, message, details, ...rest } = body.error;
    expect(rest, where).toEqual({});
    expect(code, where).toEqual(expect.stringMatching(/^[a-z][a-z_]*$/));
    expect(message, where).toEqual(expect.stringMatching(/\S/));
    if (details !== undefined) expect(details, where).toEqual(expect.any(Object));
    return;
  }
  if (kind === 'any') return;
  expect(status, where).toBe(200);
  if (kind === 'image' && type === 'image/png') {
    expect([...bytes.subarray(0, 8)], where).toEqual(PNG_SIGNATURE);
    expect(response.headers.get('X-Output-Shape'), where).toMatch(/^\d+(,\d+)*$/);
    return;
  }
  expect(type, where).toBe('application/json');
  const body = JSON.parse(text());
  if (kind === 'predict') {
    expect(body.model).toBe(MODEL);
    for (const { probabilities } of body.predictions) {
      expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    }
    return;
  }
  const { shape, data } = body.output;
  expect(data.length, where).toBe(shape.reduce((a: number, b: number) => a * b, 1));
  expect(data.every(Number.isFinite), where).toBe(true);
}

/**
 * Property 2: a valid request of each kind, sent after each generated one, gets the answer it got before the run.
 * Returns the checker, after recording those answers.
 */
async function keepsServing(send: Fetcher): Promise<(kind: Kind) => Promise<void>> {
  const probes: Record<Exclude<Kind, 'any'>, () => Promise<Response>> = {
    predict: () => send(PREDICT, json({ instances: [row] })),
    image: () => send(`${CONV}?kernel=sobel_x,blur`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: fromBase64(corpus['rgb-16x12.png']) }),
    tensor: () => send(POOL, json({ input: { shape: [1, 2, 3], data: [1, 5, 2, 0, 3, -4] }, kernel_size: 1 })),
  };
  // The features model is built on its first transform: build it now, so its weights count in "before".
  const warm = await send(TRANSFORM, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: fromBase64(corpus['rgb-16x12.png']) });
  expect(warm.status).toBe(200);
  await warm.arrayBuffer();
  const answer = async (kind: Exclude<Kind, 'any'>) => {
    const response = await probes[kind]();
    return `${response.status} ${new Uint8Array(await response.arrayBuffer()).join(',')}`;
  };
  const expected = Object.fromEntries(await Promise.all((['predict', 'image', 'tensor'] as const).map(async (k) => [k, await answer(k)])));
  for (const kind of ['predict', 'image', 'tensor'] as const) expect(expected[kind]).toMatch(/^200 /);
  return async (kind) => {
    const probe = kind === 'any' ? 'predict' : kind;
    expect(await answer(probe), `the valid ${probe} request after it`).toBe(expected[probe]);
  };
}

/** Property 3, around a whole property run. */
async function withoutLeaks(send: Fetcher, run: () => Promise<void>): Promise<void> {
  const { tensors } = client(send);
  const before = await tensors();
  await run();
  expect(await tensors(), 'live tensors after the run').toBe(before);
}

/** Runs `property` over `requests`: every answer well formed, the isolate still serving, no leak. */
async function checkRequests(
  send: Fetcher,
  requests: fc.Arbitrary<GeneratedRequest>,
  numRuns = RUNS,
): Promise<void> {
  const stillServes = await keepsServing(send);
  await withoutLeaks(send, () =>
    fc.assert(
      fc.asyncProperty(requests, async ({ path, init, kind }) => {
        await expectWellFormed(await send(path, init), kind, init.method);
        await stillServes(kind);
      }),
      parameters(numRuns),
    ),
  );
}

interface GeneratedRequest {
  path: string;
  init: RequestInit;
  kind: Kind;
}

function json(body: unknown, contentType = 'application/json'): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

// ---- Hostile JSON ----

/** A token written into the JSON text as is (1e400, NaN, -0, …), which JSON.stringify cannot produce. */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with Raw tokens spliced in; objects keep own "__proto__" keys (JSON.stringify writes them). */
function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_, v) => (v instanceof Raw ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v));
  return (text ?? 'null').replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i) => raws[Number(i)]);
}

/** An object with an own enumerable `key` (also "__proto__", which a literal or assignment would not create). */
function withKey(object: object, key: string, value: unknown): object {
  const copy = Array.isArray(object) ? [...object] : { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Values that break naive handlers: wrong types, non-finite numbers in every spelling, extremes, deep and huge. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', 'nan', 'inf', '1e999', '0x1F', '1_000', '', ' ', '١٢٣', '\u0000', '\ud800', '🙂', '\u202e1', 'null'),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 3.4e38, -3.5e38, 1e39),
  fc.constantFrom(...['1e400', '-1e400', 'NaN', 'Infinity', '-0', '123456789012345678901234567890', '1E+2', '0.1e-400'].map((t) => new Raw(t))),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constant([]),
  fc.constant({}),
  fc.integer({ min: 1, max: 2000 }).map(nested),
  fc.constantFrom(1025, 4096, 100_000).map((n) => new Array<number>(n).fill(1)),
  fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => withKey({}, key, value)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Something at `path` (child indices, taken modulo the number of children) of `value` replaced by `change`. */
function mutateAt(value: unknown, path: number[], change: (old: unknown) => unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return change(value);
  const keys = Object.keys(value);
  if (keys.length === 0) return change(value);
  const key = keys[path[0] % keys.length];
  return withKey(value, key, mutateAt((value as Record<string, unknown>)[key], path.slice(1), change));
}

const path = fc.array(fc.nat(), { maxLength: 4 });
const keyName = (known: () => string[]) =>
  fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 8 }), fc.nat().map((i) => known()[i % known().length] ?? 'x'));

/** One structural change of a JSON value: replace, drop a key, add a key, wrap in an array or an object. */
const mutation = (known: () => string[]) =>
  fc.oneof(
    fc.tuple(path, hostile).map(([at, v]) => (x: unknown) => mutateAt(x, at, () => v)),
    fc.tuple(path).map(([at]) => (x: unknown) =>
      mutateAt(x, at.slice(0, -1), (parent) => {
        if (parent === null || typeof parent !== 'object') return parent;
        const keys = Object.keys(parent);
        if (keys.length === 0) return parent;
        const drop = keys[(at.at(-1) ?? 0) % keys.length];
        return Array.isArray(parent) ? parent.filter((_, i) => String(i) !== drop) : Object.fromEntries(Object.entries(parent).filter(([k]) => k !== drop));
      }),
    ),
    fc.tuple(path, keyName(known), hostile).map(([at, key, v]) => (x: unknown) =>
      mutateAt(x, at, (old) => (old !== null && typeof old === 'object' && !Array.isArray(old) ? withKey(old, key, v) : old)),
    ),
    fc.tuple(path, fc.boolean()).map(([at, asArray]) => (x: unknown) => mutateAt(x, at, (old) => (asArray ? [old] : { value: old }))),
  );

/** `base()` with 1 to 3 mutations applied. */
const mutatedJson = (base: () => unknown, known: () => string[] = () => []) =>
  fc.array(mutation(known), { minLength: 1, maxLength: 3 }).map((changes) => toJson(changes.reduce((x, change) => change(x), base())));

/** Text-level damage to valid JSON text: insert, delete or replace characters, or cut it short. */
const damagedText = (base: () => string) =>
  fc.oneof(
    fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 6 })).map(([at, s]) => (t: string) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })).map(([at, n]) => (t: string) => t.slice(0, at % t.length) + t.slice((at % t.length) + n)),
    fc.tuple(fc.nat(), fc.constantFrom('"', ',', '[', ']', '{', '}', ':', 'NaN', '\\', '\u2028', '\uFEFF', '-', 'e')).map(([at, s]) => (t: string) => {
      const i = at % t.length;
      return t.slice(0, i) + s + t.slice(i + 1);
    }),
    fc.nat().map((at) => (t: string) => t.slice(0, at % t.length)),
  ).map((damage) => damage(base()));

/** Content-Types a JSON route sees: the right one in other spellings, with parameters, and wrong ones. */
const jsonContentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  'application/json;;',
  'application/jsonx',
  'text/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
);

// ---- Predict ----

const keyed = () => Object.fromEntries(names.map((name, i) => [name, row[i]]));
const validPredict = () => ({ instances: [row, keyed()] });

/** Instances from the feature names, prototype keys and any JSON (as robustness.test.ts, which this file replaces). */
const instance = () =>
  fc.oneof(
    fc.array(fc.oneof(fc.double(), fc.jsonValue()), { maxLength: names.length + 2 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...names, ...PROTOTYPE_KEYS), fc.string()), fc.jsonValue()),
    fc.jsonValue(),
  );

const predictRequests = (): fc.Arbitrary<GeneratedRequest> =>
  fc
    .oneof(
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map(toJson),
      fc.array(instance(), { maxLength: 8 }).map((instances) => toJson({ instances })),
      mutatedJson(validPredict, () => names),
      damagedText(() => toJson(validPredict())),
      fc.array(hostile, { maxLength: 3 }).map((values) => toJson({ instances: [row.map((v, i) => (i < values.length ? values[i] : v))] })),
    )
    .chain((body) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: jsonContentType },
      ).map((type) => ({ path: PREDICT, init: json(body, type), kind: 'predict' as const })),
    );

// ---- Image routes, JSON tensor form ----

const dims = (max: number) => fc.array(fc.integer({ min: 1, max }), { minLength: 3, maxLength: 4 });
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** A tensor whose data fills its shape (so the operation runs), small. */
const fittingTensor = (shape: fc.Arbitrary<number[]>) =>
  shape.chain((s) => fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: count(s), maxLength: count(s) }).map((data) => ({ shape: s, data })));
/** Anything in a tensor's place. */
const anyTensor = fc.oneof(
  { weight: 6, arbitrary: fittingTensor(dims(6)) },
  { weight: 1, arbitrary: fc.record({ shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 8 }), hostile), { maxLength: 6 }), data: fc.array(fc.oneof(fc.double(), hostile), { maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ shape: fc.array(fc.constantFrom(1, 2, 4096, 65535, 65536, 2 ** 31), { minLength: 2, maxLength: 4 }), data: fc.constant([1]) }) },
  { weight: 1, arbitrary: hostile },
);
/** stride, padding, dilation, kernel_size: mostly small integers and pairs (so the operation runs), then extremes. */
const param = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 4 }) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 65535, 65536, 2 ** 31, -(2 ** 31), 1.5, [1, 2, 3], '2') },
  { weight: 1, arbitrary: hostile },
);
/** Mostly valid, sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const convBody = fc.record(
  {
    input: anyTensor,
    weight: fc.oneof(fittingTensor(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))), anyTensor),
    bias: fc.oneof({ weight: 3, arbitrary: fittingTensor(fc.tuple(fc.integer({ min: 1, max: 4 }))) }, { weight: 1, arbitrary: anyTensor }),
    stride: param,
    padding: fc.oneof(param, fc.constantFrom('same', 'full', 'valid', 'SAME', 'bogus')),
    dilation: param,
  },
  { requiredKeys: ['input', 'weight'] },
);
const poolBody = fc.record(
  {
    input: anyTensor,
    mode: mostly(fc.constantFrom('max', 'avg', 'min', 'MAX')),
    kernel_size: param,
    stride: param,
    padding: param,
    ceil_mode: mostly(fc.boolean()),
    count_include_pad: mostly(fc.boolean()),
  },
  { requiredKeys: ['input', 'kernel_size'] },
);
const validConv = () => ({ input: { shape: [1, 1, 4, 4], data: Array.from({ length: 16 }, (_, i) => i) }, weight: { shape: [1, 1, 3, 3], data: [0, 1, 0, 1, -4, 1, 0, 1, 0] } });
const validPool = () => ({ input: { shape: [1, 1, 4, 4], data: Array.from({ length: 16 }, (_, i) => i) }, kernel_size: 2, mode: 'avg' });

const tensorRequests = (): fc.Arbitrary<GeneratedRequest> =>
  fc.oneof(
    convBody.map((body) => ({ path: CONV, init: json(toJson(body)), kind: 'tensor' as const })),
    poolBody.map((body) => ({ path: POOL, init: json(toJson(body)), kind: 'tensor' as const })),
    mutatedJson(validConv).map((body) => ({ path: CONV, init: json(body), kind: 'tensor' as const })),
    mutatedJson(validPool).map((body) => ({ path: POOL, init: json(body), kind: 'tensor' as const })),
    damagedText(() => toJson(validConv())).map((body) => ({ path: CONV, init: json(body), kind: 'tensor' as const })),
    fc.tuple(fc.constantFrom(CONV, POOL), fc.jsonValue()).map(([route, body]) => ({ path: route, init: json(toJson(body)), kind: 'tensor' as const })),
  );

// ---- Image routes, image bodies ----

/** Mutations of real image bytes, plus headers claiming other sizes. */
function mutatedImage(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(mutatedBytes(original), resized(original));
}

/** The header's width and height rewritten (PNG's IHDR, JPEG's SOF): from 0 to beyond every limit. */
function resized(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  const size = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(2048, 4096, 4097, 65535));
  return fc.tuple(size, size).map(([width, height]) => {
    const copy = original.slice();
    const view = new DataView(copy.buffer);
    if (copy[0] === 0x89) {
      view.setUint32(16, width);
      view.setUint32(20, height);
    } else {
      const sof = copy.findIndex((byte, i) => byte === 0xff && copy[i + 1] >= 0xc0 && copy[i + 1] <= 0xc2);
      if (sof >= 0 && sof + 9 <= copy.length) {
        view.setUint16(sof + 5, height);
        view.setUint16(sof + 7, width);
      }
    }
    return copy;
  });
}

const imageBytes = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  { weight: 3, arbitrary: fc.constantFrom(...images) },
  { weight: 4, arbitrary: fc.constantFrom(...images).chain(mutatedImage) },
);
const imageType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('image/png', 'image/jpeg') },
  { weight: 1, arbitrary: fc.constantFrom('IMAGE/PNG', 'image/jpeg; q=1', 'image/gif', 'application/octet-stream', '') },
);
/** A query value: mostly small numbers and pairs, then limits and junk. */
const queryNumber = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 4 }).map(String) },
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map(([a, b]) => `${a},${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '-1', '99999', '65535', '1e3', 'NaN', ' 1', '1,2,3', '٣', '0x2', '-0') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
/** Mostly one of `valid`, sometimes a near miss. */
const mostlyOf = (valid: string[], wrong: string[]) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...wrong) });
const convQuery = fc.record(
  {
    kernel: fc.oneof(
      { weight: 6, arbitrary: fc.subarray(KERNELS, { minLength: 1 }).map((k) => k.join(',')) },
      { weight: 1, arbitrary: fc.constantFrom('', 'nope', 'blur,', '__proto__', 'constructor', 'toString') },
    ),
    stride: queryNumber,
    padding: fc.oneof(queryNumber, fc.constantFrom('same', 'full', 'valid', 'SAME')),
    dilation: queryNumber,
    format: mostlyOf(['png', 'json'], ['xml', 'PNG']),
  },
  { requiredKeys: [] },
);
const poolQuery = fc.record(
  {
    mode: mostlyOf(['max', 'avg'], ['min', 'MAX']),
    kernel_size: queryNumber,
    stride: queryNumber,
    padding: queryNumber,
    ceil_mode: mostlyOf(['true', 'false', '1', '0'], ['yes', '']),
    count_include_pad: mostlyOf(['true', 'false'], ['maybe']),
    format: mostlyOf(['png', 'json'], ['jpeg']),
  },
  { requiredKeys: [] },
);
const transformQuery = fc.record({ format: mostlyOf(['png', 'json'], ['jpeg']) }, { requiredKeys: [] });

/** Sometimes an unknown or repeated parameter too. */
const extraParameter = fc.option(fc.tuple(fc.constantFrom('x', 'kernel', 'stride', 'format', '__proto__'), fc.string({ maxLength: 6 })), { freq: 4 });

const withQuery = (route: string, query: Record<string, string>, extra: [string, string] | null = null) => {
  const parameters = new URLSearchParams(query);
  if (extra) parameters.append(...extra);
  const search = parameters.toString();
  return search === '' ? route : `${route}?${search}`;
};

const imageRequests = (): fc.Arbitrary<GeneratedRequest> =>
  fc
    .tuple(
      fc.oneof(
        fc.tuple(convQuery, extraParameter).map(([q, extra]) => withQuery(CONV, q, extra)),
        fc.tuple(poolQuery, extraParameter).map(([q, extra]) => withQuery(POOL, q, extra)),
        fc.tuple(transformQuery, extraParameter).map(([q, extra]) => withQuery(TRANSFORM, q, extra)),
      ),
      imageBytes,
      imageType,
    )
    .map(([route, body, type]) => ({
      path: route,
      init: { method: 'POST', headers: type === '' ? undefined : { 'Content-Type': type }, body },
      kind: 'image' as const,
    }));

// ---- Any method on any path ----

const segment = fc.oneof(
  fc.constantFrom('phone-price', 'features', 'nope', '__proto__', 'constructor', 'toString', '%E0%A4%A', '%', '%00', '..', '.', '%2F', '😀', ''),
  fc.webSegment(),
);
const anyRequests = (): fc.Arbitrary<GeneratedRequest> =>
  fc
    .tuple(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      fc.oneof(
        fc.tuple(segment, fc.constantFrom('', '/predict', '/transform', '/predict/', '/x')).map(([name, rest]) => `/v1/models/${name}${rest}`),
        fc.constantFrom('/', '/healthz', '/openapi.json', '/v1/models', '/v1', CONV, POOL, `${CONV}/`, '//v1/models', '/V1/MODELS'),
        fc.webPath(),
      ),
      fc.webQueryParameters(),
      fc.option(fc.oneof(fc.constantFrom(...images), fc.string().map((t) => new TextEncoder().encode(t)))),
      fc.constantFrom('application/json', 'image/png', 'text/plain'),
    )
    .map(([method, route, query, body, type]) => ({
      path: `${route.startsWith('/') ? route : `/${route}`}${query === '' ? '' : `?${query}`}`,
      init: { method, headers: { 'Content-Type': type }, body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined) },
      kind: 'any' as const,
    }));

// ---- The properties ----

describe('generated requests never get a 5xx, and the isolate keeps serving without leaking (direct fetch handler)', () => {
  it('predict: random text, random JSON, random instances, mutated and damaged valid bodies, hostile values, odd media types', async () => {
    await checkRequests(direct, predictRequests());
 }, TIMEOUT);

  it('conv2d and pool, JSON form: random and mutated tensor bodies (shapes, data, stride, padding, dilation, modes)', async () => {
    await checkRequests(direct, tensorRequests());
 }, TIMEOUT);

  it('conv2d, pool and transform, image form: random bytes and mutated PNG/JPEG files with random query strings', async () => {
    await checkRequests(direct, imageRequests());
 }, TIMEOUT);

  it('any method on any path, with any query and body (404, 405 and the routes above)', async () => {
    await checkRequests(direct, anyRequests());
 }, TIMEOUT);

  it('nesting deeper than a recursive parser or printer survives (200 000 levels, in a value and as an instance)', async () => {
    const stillServes = await keepsServing(direct);
    await withoutLeaks(direct, async () => {
      const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
      const values = row.map(String);
      for (const value of [deep, `{"a":${deep}}`]) {
        values[3] = value;
        for (const body of [`{"instances": [[${values.join(',')}]]}`, `{"instances": [${value}]}`]) {
          await expectWellFormed(await direct(PREDICT, json(body)), 'predict');
          await stillServes('predict');
        }
        await expectWellFormed(await direct(CONV, json(`{"input": ${value}, "weight": ${value}}`)), 'tensor');
        await stillServes('tensor');
      }
    });
  });
});

describe('the same through SELF, as requests arrive from a client (fewer runs)', () => {
  it('predict, tensor and image requests mixed', async () => {
    // SELF slows down with every request (workers-sdk#15446): an eighth of the runs, at most 100.
    const runs = Math.min(100, Math.max(10, Math.ceil(RUNS / 8)));
    await checkRequests(viaSelf, fc.oneof(predictRequests(), tensorRequests(), imageRequests(), anyRequests()), runs);
 }, 180_000);
});
