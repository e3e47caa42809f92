/// <reference types="@cloudflare/vitest-pool-workers/types" />
// A client that goes away mid-upload: the body fails while it is read. That is not a server bug: the request ends
// as 400 incomplete_body, nothing is logged as an error, and the next request is answered as usual.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { createApp } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { expectError, viaApp } from './helpers';

const send = viaApp(createApp({ models: defaultModels }));
const png = encodePng(solid(64, 64, 128));

/** A body that sends `first` and then fails, as a dropped connection does. */
function cutOff(first: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error('connection reset by peer'));
      sent = true;
      controller.enqueue(first);
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe('a body cut off mid-upload', () => {
  it.each([
    ['an image, streamed (counted by the size limit)', '/v1/image/conv2d?kernel=blur', 'image/png', {}],
    ['an image with a Content-Length', '/v1/image/pool', 'image/png', { 'Content-Length': String(png.length * 2) }],
  ])('%s: 400 incomplete_body, nothing logged as a bug', async (_, path, type, headers) => {
    const errors = vi.spyOn(console, 'error');
    const body = cutOff(png.slice(0, 100));
    const response = await send(path, { method: 'POST', headers: { 'Content-Type': type, ...headers }, body });
    await expectError(response, 400, 'incomplete_body');
    expect(errors).not.toHaveBeenCalled();
    const ok = await send('/v1/image/pool', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    expect(ok.status).toBe(200);
  });
});
