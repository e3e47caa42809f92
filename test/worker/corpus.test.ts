/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The bad-input corpus (test/fixtures/bad/cases.json): every HTTP case gets its exact status and error code (or a
// 2xx of the stated media type), through SELF as a client's request would arrive. The files come from the worker
// project's globalSetup (test/worker-node/corpus-setup.ts): workerd cannot read them. After the whole corpus, the
// isolate still answers a valid request and holds no more tensors than before it.
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fromBase64, type HttpCase } from '../worker-node/corpus-context';
import { client, expectError, viaSelf } from './helpers';

const { cases, files } = inject('badCorpus');
const httpCases = cases.filter((c): c is HttpCase => c.kind === 'http');
const api = client(viaSelf);
const ORIGIN = 'http://edgeml.test';
const MIB = 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function file(name: string): Uint8Array {
  const base64 = files[name];
  if (base64 === undefined) throw new Error(`test/fixtures/bad/${name} is missing: npx tsx scripts/fixtures/make-bad-corpus.ts`);
  return fromBase64(base64);
}

/** The bodies too large to commit. */
function generated(kind: NonNullable<HttpCase['generate']>): Uint8Array {
  const encode = (text: string) => new TextEncoder().encode(text);
  const validRow = (JSON.parse(new TextDecoder().decode(file('valid.json'))) as { instances: number[][] }).instances[0];
  switch (kind) {
    case 'json-2mib': {
      const prefix = '{"instances":[],"pad":"';
      return encode(`${prefix}${'x'.repeat(2 * MIB - prefix.length - 2)}"}`); // valid JSON: only its size is wrong
    }
    case 'nested-100k':
      return encode(`{"instances": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`);
    case 'instances-1025':
      return encode(JSON.stringify({ instances: Array.from({ length: 1025 }, () => validRow) }));
    case 'image-11mb': {
      const png = file('rgb-16x12.png');
      const body = new Uint8Array(11 * MIB);
      body.set(png); // a valid PNG followed by zeros
      return body;
    }
  }
}

/** `bytes` as a stream of 64 KiB chunks: a request without Content-Length. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += 64 * 1024)));
    },
  });
}

function send(testCase: HttpCase): Promise<Response> {
  const bytes = testCase.generate ? generated(testCase.generate) : testCase.file ? file(testCase.file) : undefined;
  const body = bytes === undefined ? undefined : testCase.transfer === 'chunked' ? streamOf(bytes) : bytes;
  return SELF.fetch(`${ORIGIN}${testCase.route}`, { method: testCase.method, headers: testCase.headers, body });
}

async function expectAnswer(response: Response, { status, code, type }: HttpCase['expect']): Promise<void> {
  if (code !== undefined) {
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    await expectError(response, status, code);
    return;
  }
  const mediaType = (response.headers.get('Content-Type') ?? '').split(';')[0];
  const body = new Uint8Array(await response.arrayBuffer());
  expect({ status: response.status, type: mediaType }).toEqual({ status, type });
  if (type === 'image/png') expect([...body.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  if (type === 'application/json') expect(() => JSON.parse(new TextDecoder().decode(body))).not.toThrow();
}

let tensorsBefore: number;
beforeAll(async () => {
  // Warm every route once (models built, kernels made), so the tensor count below compares like with like.
  for (const testCase of httpCases.filter((c) => c.expect.status === 200)) await (await send(testCase)).arrayBuffer();
  tensorsBefore = await api.tensors();
});

describe('the bad-input corpus over HTTP', () => {
  it('has a file for every case, and every case a unique name', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) if ('file' in c && c.file !== undefined) expect(files, c.file).toHaveProperty([c.file]);
    expect(httpCases.length).toBeGreaterThan(50);
  });

  for (const testCase of httpCases) {
    const title = `${testCase.name} → ${testCase.expect.status} ${testCase.expect.code ?? testCase.expect.type}: ${testCase.why}`;
    if (testCase.bug === undefined) {
      it(title, async () => expectAnswer(await send(testCase), testCase.expect));
    } else {
      // A known deviation: passes while the Worker still answers otherwise, fails (remove "bug") once it is fixed.
      it.fails(`${title} [known bug: ${testCase.bug}]`, async () => expectAnswer(await send(testCase), testCase.expect));
    }
  }

  it('after the whole corpus (tests run in order), still answers a valid prediction and holds no more tensors', async () => {
    const valid = httpCases.find((c) => c.file === 'valid.json' && c.expect.status === 200)!;
    const response = await SELF.fetch(`${ORIGIN}${valid.route}`, { method: 'POST', headers: valid.headers, body: file('valid.json') });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(await api.tensors()).toBe(tensorsBefore);
  });
});
