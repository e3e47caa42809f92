/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The image routes never answer a 5xx and never leak a tensor: generated bodies, mutated images and arbitrary
// queries only ever get 200 or a 4xx, and the live tensor count is back where it was after many mixed requests.
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import worker from '../../worker/index';
import { fromBase64 } from '../worker-node/image-cases';
import { client, viaApp } from './helpers';

// The deployed app's own fetch handler, called directly: through SELF each request gets slower the more the test
// worker has sent (cloudflare/workers-sdk#15446).
const send = viaApp(worker);
const { post, tensors } = client(send);
const { images } = inject('imageParity');
const ROUTES = ['/v1/image/conv2d', '/v1/image/pool', '/v1/models/features/transform'];
const ANSWERS = [200, 400, 413, 415, 422];

function postImage(path: string, bytes: Uint8Array, type = 'image/png'): Promise<Response> {
  return send(path, { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
}

async function settle(response: Promise<Response>): Promise<number> {
  const settled = await response;
  await settled.arrayBuffer();
  return settled.status;
}

async function expectNo5xx(response: Promise<Response>): Promise<void> {
  expect(ANSWERS).toContain(await settle(response));
}

const fixtures = Object.entries(images).map(([name, text]) => ({ name, bytes: fromBase64(text) }));

describe('no input to the image routes produces a 5xx', () => {
  it('mutated PNG and JPEG fixtures: flipped bytes, cut short, spliced', async () => {
    const mutation = fc.record({
      fixture: fc.constantFrom(...fixtures),
      route: fc.constantFrom(...ROUTES),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat()),
      type: fc.constantFrom('image/png', 'image/jpeg'),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ fixture, route, flips, cut, type }) => {
        const bytes = fixture.bytes.slice(0, cut === null ? undefined : cut % (fixture.bytes.length + 1));
        for (const [at, mask] of flips) if (bytes.length > 0) bytes[at % bytes.length] ^= mask;
        await expectNo5xx(postImage(`${route}?format=json`, bytes, type));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes as an image', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...ROUTES), (bytes, route) =>
        expectNo5xx(postImage(route, bytes)),
      ),
      { numRuns: 200 },
    );
  });

  it('arbitrary query strings on an image body', async () => {
    const png = encodePng(solid(12, 10, 128, 3));
    const key = fc.constantFrom('kernel', 'stride', 'padding', 'dilation', 'format', 'mode', 'kernel_size', 'ceil_mode', 'count_include_pad', 'x');
    const value = fc.oneof(fc.string(), fc.integer({ min: -70_000, max: 70_000 }).map(String), fc.constantFrom('same', 'full', 'valid', 'true', '0', 'json', 'avg', '2,1', 'sobel_x,edge'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 5 }), fc.constantFrom(...ROUTES), (pairs, route) =>
        expectNo5xx(postImage(`${route}?${new URLSearchParams(pairs)}`, png)),
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON and generated tensor bodies', async () => {
    const dims = fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 5 });
    const tensorOf = (shape: number[]) =>
      fc.constant({ shape, data: Array.from({ length: Math.max(0, shape.reduce((a, b) => a * b, 1)) }, (_, i) => (i % 7) - 3) });
    const tensorArb = fc.oneof(dims.chain(tensorOf), fc.jsonValue());
    const pair = fc.oneof(fc.integer({ min: -3, max: 8 }), fc.tuple(fc.integer({ min: -3, max: 8 }), fc.integer({ min: -3, max: 8 })), fc.jsonValue());
    const body = fc.record(
      {
        input: tensorArb,
        weight: tensorArb,
        bias: tensorArb,
        stride: pair,
        padding: fc.oneof(pair, fc.constantFrom('same', 'full', 'valid')),
        dilation: pair,
        kernel_size: pair,
        mode: fc.constantFrom('max', 'avg', 'min'),
        ceil_mode: fc.oneof(fc.boolean(), fc.jsonValue()),
        count_include_pad: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.jsonValue()), fc.constantFrom(ROUTES[0], ROUTES[1]), (json, route) =>
        expectNo5xx(post(route, JSON.stringify(json))),
      ),
      { numRuns: 400 },
    );
  });
});

describe('no tensor leaks', () => {
  it('the tfjs tensor count after 600 mixed image requests equals the count after the first round', async () => {
    const png = encodePng(solid(20, 14, 77, 3));
    const jpeg = fromBase64(images['rgb.jpg']);
    const small = fromBase64(images['rgb8.png']); // too small for the features model
    const conv = { input: { shape: [1, 1, 4, 4], data: Array.from({ length: 16 }, (_, i) => i) }, weight: { shape: [2, 1, 3, 3], data: new Array(18).fill(0.5) } };
    const requests: (() => Promise<Response>)[] = [
      () => postImage('/v1/image/conv2d', png),
      () => postImage('/v1/image/conv2d?format=json&kernel=sobel_x&padding=same', jpeg, 'image/jpeg'),
      () => postImage('/v1/image/pool?mode=avg&ceil_mode=true&padding=1&kernel_size=3&stride=2', png),
      () => postImage('/v1/models/features/transform', jpeg, 'image/jpeg'),
      () => postImage('/v1/models/features/transform?format=json', png),
      () => postImage('/v1/models/features/transform', small), // 422 inside the model
      () => postImage('/v1/image/conv2d?dilation=40', png), // 422 inside conv2d
      () => postImage('/v1/image/pool', jpeg.slice(0, 300), 'image/jpeg'), // 422 corrupt
      () => post('/v1/image/conv2d', conv),
      () => post('/v1/image/conv2d', { ...conv, weight: { shape: [1, 2, 3, 3], data: new Array(18).fill(1) } }), // 422 after the tensors are made
      () => post('/v1/image/conv2d', { ...conv, bias: { shape: [2], data: [1, 1e39] } }), // 422 between tensors
      () => post('/v1/image/conv2d', { input: { shape: [1, 1, 1, 1], data: [3e38] }, weight: { shape: [1, 1, 1, 1], data: [2] } }), // 422 after computing
      () => post('/v1/image/pool', { input: conv.input, kernel_size: 2, mode: 'avg', ceil_mode: true, padding: 1 }),
      () => post('/v1/image/pool', { input: conv.input, kernel_size: 5 }), // 422 inside the pool
    ];
    const statuses = new Set<number>();
    for (const request of requests) statuses.add(await settle(request()));
    const first = await tensors();
    for (let i = 0; i < 600; i++) statuses.add(await settle(requests[i % requests.length]()));
    expect([...statuses].sort()).toEqual([200, 422]);
    expect(await tensors()).toBe(first);
  });
});
