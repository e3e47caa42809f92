/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Image requests take turns (worker/image/admission.ts): one at a time per isolate here, none waiting, so a second
// image request while one holds the turn is refused at once with 429 busy and Retry-After, predictions are never
// held up by the queue, and a turn is handed on when its request ends, also when it ends in an error.
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { createApp } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, viaApp } from './helpers';

const send = viaApp(createApp({ models: defaultModels, limits: { image: { admission: { concurrent: 1, queued: 0, maxWaitMs: 1000, giveWayMs: 50 } } } }));
const api = client(send);
const png = encodePng(solid(32, 32, 90));
const row = Array.from({ length: 20 }, () => 1);

const postImage = (path: string, body: BodyInit) =>
  send(path, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body });

/** A body that sends its bytes only when `finish` is called: its request holds the turn until then. */
function held(bytes: Uint8Array): { body: ReadableStream<Uint8Array>; finish: () => void } {
  let finish!: () => void;
  const go = new Promise<void>((resolve) => (finish = resolve));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      await go;
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return { body, finish };
}

describe('image admission', () => {
  it('refuses an image request while another holds the only turn, and lets predictions through', async () => {
    const slow = held(png);
    const first = postImage('/v1/image/conv2d?kernel=blur', slow.body);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first request takes the turn

    const refused = await postImage('/v1/image/pool', png);
    expect(refused.headers.get('Retry-After')).toBe('1');
    await expectError(refused, 429, 'busy');
    expect((await api.predict([row])).status).toBe(200);

    slow.finish();
    expect((await first).status).toBe(200);
    expect((await postImage('/v1/image/pool', png)).status).toBe(200);
  });

  it('hands the turn on after a request that failed', async () => {
    await expectError(await postImage('/v1/image/pool', new TextEncoder().encode('not an image')), 415, 'unsupported_image');
    expect((await postImage('/v1/image/pool', png)).status).toBe(200);
  });
});

describe('predictions first', () => {
  const patient = viaApp(
    createApp({ models: defaultModels, limits: { image: { admission: { concurrent: 1, queued: 0, maxWaitMs: 1000, giveWayMs: 60_000 } } } }),
  );

  it('holds an image request between its steps while a prediction is in flight, and lets it go when none is', async () => {
    const prediction = held(new TextEncoder().encode(JSON.stringify({ instances: [row] })));
    const order: string[] = [];
    const predicted = patient('/v1/models/phone-price/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: prediction.body,
    }).then((response) => (order.push('prediction'), response));
    const image = patient('/v1/image/pool', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png }).then(
      (response) => (order.push('image'), response),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the image request alone needs a few milliseconds
    expect(order).toEqual([]);

    prediction.finish();
    expect((await predicted).status).toBe(200);
    expect((await image).status).toBe(200);
    expect(order).toEqual(['prediction', 'image']);
  });
});

describe('JSON answers', () => {
  it('are refused with 413 answer_too_large past the element limit, where the PNG is still answered', async () => {
    const wide = encodePng(solid(1024, 512, 128, 1));
    const error = await expectError(await postImage('/v1/image/conv2d?kernel=blur&padding=1&format=json', wide), 413, 'answer_too_large');
    expect(error.details).toMatchObject({ elements: 1024 * 512, limit: 256 * 1024 });
    expect((await postImage('/v1/image/conv2d?kernel=blur&padding=1', wide)).status).toBe(200);
  });

  it('are refused from the image header alone, before the image is decoded', async () => {
    // The header says 1024×512; the image data after it is damaged, so decoding would answer 422 corrupt_image.
    const damaged = encodePng(solid(1024, 512, 128, 1)).slice(0, 60);
    for (const path of ['/v1/image/pool?kernel_size=1&format=json', '/v1/image/conv2d?kernel=blur&padding=1&format=json']) {
      await expectError(await postImage(path, damaged), 413, 'answer_too_large');
    }
    await expectError(await postImage('/v1/image/pool?kernel_size=1', damaged), 422, 'corrupt_image');
  });
});
