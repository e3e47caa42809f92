/// <reference types="@cloudflare/vitest-pool-workers/types" />
// createApp's limits option: an app with stricter limits than the defaults refuses what the deployed Worker takes.
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { createApp } from '../../worker/app';
import { defaultModels } from '../../worker/models';
import { client, expectError, predict, viaApp } from './helpers';

const row = Array.from({ length: 20 }, () => 1);
const send = viaApp(createApp({ models: defaultModels, limits: { predict: { maxInstances: 2 }, image: { maxImageSide: 8 } } }));
const strict = client(send);

describe('createApp({ limits })', () => {
  it('lowers the instance limit of /predict', async () => {
    expect((await predict([row, row, row])).status).toBe(200);
    const error = await expectError(await strict.predict([row, row, row]), 413, 'payload_too_large');
    expect(error.details).toMatchObject({ field: 'instances', limit: 2 });
  });

  it('lowers the image side limit of the image routes', async () => {
    const wide = encodePng(solid(16, 1, 0, 1));
    const response = await send('/v1/image/pool', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: wide });
    const error = await expectError(response, 413, 'image_too_large');
    expect(error.details).toMatchObject({ limit: 8 });
  });
});
