/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The digit classifier at the edge: PNG bodies through MNIST's preprocessing and the traced CNN inside workerd give
// exactly what the SDK gives in Node for the same bytes (test/worker-node/digits-setup.ts), and bad images are 4xx.
import { describe, expect, inject, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { fromBase64 } from '../worker-node/image-cases';
import { expectError, viaSelf } from './helpers';

const { cases } = inject('digits');
const PREDICT = '/v1/models/digits/predict';

const postPng = (body: Uint8Array) => viaSelf(PREDICT, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body });

describe('POST /v1/models/digits/predict with an image', () => {
  it.each(cases.map((c, i) => [i, c.digit, c] as const))('digit %i (a %i) answers what the SDK answers', async (_, __, c) => {
    const response = await postPng(fromBase64(c.png));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; predictions: { class: number; label: string; probabilities: number[] }[] };
    expect(body.model).toBe('digits');
    expect(body.predictions).toHaveLength(1);
    const [prediction] = body.predictions;
    expect(prediction.class).toBe(c.expected.class);
    expect(prediction.label).toBe(c.expected.label);
    prediction.probabilities.forEach((p, k) => expect(p).toBeCloseTo(c.expected.probabilities[k], 6));
  });

  it('classifies nearly all of these held-out digits correctly', () => {
    const right = cases.filter((c) => c.expected.class === c.digit).length;
    expect(right).toBeGreaterThanOrEqual(cases.length - 1);
  });

  it.each([
    ['a blank image', encodePng(solid(64, 64, 255))],
    ['a one-pixel image', encodePng(solid(1, 1, 0))],
  ])('refuses %s with 422 invalid_input', async (_, png) => {
    await expectError(await postPng(png), 422, 'invalid_input');
  });
});

describe('POST /v1/models/digits/transform?layer=input', () => {
  it("answers the 28×28 picture the network sees: the SDK's MNIST preprocessing of the bytes", async () => {
    const [c] = cases;
    const body = fromBase64(c.png);
    const init = { method: 'POST', headers: { 'Content-Type': 'image/png' }, body };
    const response = await viaSelf('/v1/models/digits/transform?layer=input&format=json', init);
    expect(response.status).toBe(200);
    const { output } = (await response.json()) as { output: { shape: number[]; data: number[] } };
    expect(output.shape).toEqual([1, 1, 28, 28]);
    output.data.forEach((v, i) => expect(v).toBeCloseTo(c.input[i], 6));
    const png = await viaSelf('/v1/models/digits/transform?layer=input', init);
    expect(png.headers.get('X-Output-Shape')).toBe('1,1,28,28');
  });
});
