/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The image routes leak no tensor, on success or on any of the errors raised inside the maths. (Generated and
// mutated inputs are properties.test.ts's.)
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

function postImage(path: string, bytes: Uint8Array, type = 'image/png'): Promise<Response> {
  return send(path, { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
}

async function settle(response: Promise<Response>): Promise<number> {
  const settled = await response;
  await settled.arrayBuffer();
  return settled.status;
}

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
