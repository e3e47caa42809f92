/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Requests priced by the work they really do: a strided, dilated convolution over huge padding costs its few outputs
// (it once computed the dense stride-1 convolution first: gigabytes, a wasm fault, or minutes of CPU), and what
// would make a tensor over the limit on the way is refused before any of it is computed.
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { client, expectError, post, predict, viaSelf } from './helpers';

const CONV = '/v1/image/conv2d';
const image = encodePng(solid(16, 12, [200, 10, 90]));
const row = [842, 0, 2.2, 0, 1, 0, 7, 0.6, 188, 2, 2, 20, 756, 2549, 9, 7, 19, 0, 0, 1];
const api = client(viaSelf);

const convImage = (query: string) =>
  viaSelf(`${CONV}?${query}&format=json`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: image });
const ones = (shape: number[]) => ({ shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(1) });

describe('conv2d with stride and dilation both above 1 over huge padding', () => {
  it.each([
    ['padding=8000&dilation=2&stride=16000', [2, 2]],
    ['padding=20000&dilation=3&stride=40000', [2, 2]],
    ['padding=3000&dilation=2&stride=6000', [2, 2]],
    ['padding=65535&dilation=5&stride=9973', [14, 14]],
    ['padding=100&dilation=7&stride=3', [66, 68]],
  ])('%s answers its %j output, and predictions still answer', async (query, size) => {
    const response = await convImage(`kernel=sobel_x&${query}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: { shape: number[] } };
    expect(body.output.shape).toEqual([1, 1, ...size]);
    expect((await predict([row])).status).toBe(200);
  });

  it('gives the JSON tensor form the same answer: zeros where every tap reads padding', async () => {
    const response = await post(CONV, {
      input: ones([1, 1, 12, 16]),
      weight: ones([1, 1, 3, 3]),
      padding: 8000,
      dilation: 2,
      stride: 16000,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ output: { shape: [1, 1, 2, 2], data: [0, 0, 0, 0] } });
  });

  it('leaves no tensor behind', async () => {
    const before = await api.tensors();
    for (const query of ['padding=8000&dilation=2&stride=16000', 'padding=9&dilation=2,3&stride=4,5']) {
      expect((await convImage(`kernel=edge&${query}`)).status).toBe(200);
    }
    expect(await api.tensors()).toBe(before);
  });
});

describe('a request whose output or work is over the limits', () => {
  it.each([
    ['a dense output from huge padding', 'padding=3000&dilation=2&stride=1', 'tensor_too_large'],
    ['a dense output with dilation 1', 'padding=60000', 'tensor_too_large'],
  ])('%s is refused with 413 before computing', async (_, query, code) => {
    await expectError(await convImage(`kernel=blur&${query}`), 413, code);
    expect((await predict([row])).status).toBe(200);
  });

  it('refuses a small output whose computation would make a tensor over the limit', async () => {
    // 65 539 × 3 outputs, but each tap reads 65 539 rows of 1 001 columns first.
    const body = { input: ones([1, 1, 12, 1000]), weight: ones([1, 1, 3, 3]), padding: 65535, stride: [2, 65535], dilation: 2 };
    const error = await expectError(await post(CONV, body), 413, 'tensor_too_large');
    expect(error.details).toMatchObject({ field: 'intermediate' });
    expect((await predict([row])).status).toBe(200);
  });
});

describe('query integers', () => {
  it.each(['stride=65536', 'padding=99999', 'dilation=2,-70000', 'padding=1,65536'])(
    '%s is refused as the JSON form refuses it: 422, within ±65535',
    async (query) => {
      const error = await expectError(await convImage(`kernel=blur&${query}`), 422, 'invalid_request');
      expect(error.message).toMatch(/within ±65535/);
    },
  );
});

describe('a convolution assembled tap by tap (stride and dilation both above 1)', () => {
  it('is priced by what it gathers as well as its multiply-adds: a 16×16 kernel over a 1024² input is refused', async () => {
    // 63 M multiply-adds, within the limit, but 256 taps each gathering and adding ~250 000 elements: ~4 s of wasm.
    const body = { input: ones([1, 1, 1024, 1024]), weight: ones([1, 1, 16, 16]), stride: 2, dilation: 2 };
    const error = await expectError(await post(CONV, body), 413, 'computation_too_large');
    expect(error.message).toMatch(/stride or dilation of 1/);
    expect((await predict([row])).status).toBe(200);
  });
});
