/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The image routes' answers: feature-map PNGs of the right size and content, JSON tensors equal to the SDK's, the
// named kernels, the features bundle's transform, and how the routes appear in the model list and the OpenAPI doc.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import { conv2d } from '../../sdk/functional/conv';
import { outputSize } from '../../sdk/functional/window';
import { decodeImage, encodePng } from '../../sdk/image/codec';
import { renderFeatureMaps } from '../../sdk/image/featuremap';
import type { Image } from '../../sdk/image/image';
import { batch, solid, toTensor } from '../../sdk/image/layout';
import { createApp } from '../../worker/app';
import { KERNEL_NAMES, KERNELS, kernelWeight, type KernelName } from '../../worker/image/kernels';
import { defaultModels } from '../../worker/models';
import { fromBase64, type TensorJson } from '../worker-node/image-cases';
import { expectError, get, MODEL, predict, viaApp, viaSelf, type Fetcher } from './helpers';

const { images } = inject('imageParity');

/** POSTs image bytes (PNG unless said otherwise) to `path`. */
function postImage(path: string, bytes: Uint8Array, type = 'image/png', send: Fetcher = viaSelf): Promise<Response> {
  return send(path, { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
}

/** A `width`×`height` RGB image whose channels vary along x, y and both: every map has contrast. */
function pattern(width: number, height: number): Image {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([(x * 7) % 256, (y * 11) % 256, (x * y) % 256], (y * width + x) * 3);
  }
  return { width, height, channels: 3, data };
}

/** renderFeatureMaps' documented grid size for C maps of H×W (scale 1, padding 4, ⌈√C⌉ columns). */
function gridSize([channels, height, width]: number[]): { width: number; height: number } {
  const columns = Math.ceil(Math.sqrt(channels));
  const rows = Math.ceil(channels / columns);
  const label = 5 * Math.max(1, Math.floor(width / 48)) + 2;
  return { width: columns * width + (columns + 1) * 4, height: rows * (label + height) + (rows + 1) * 4 };
}

/** Asserts a 200 PNG answer with X-Output-Shape `shape`, decodes it, and checks its size against the grid layout. */
async function expectFeatureMapPng(response: Response, shape: number[]): Promise<Image> {
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('image/png');
  expect(response.headers.get('X-Output-Shape')).toBe(shape.join(','));
  const png = decodeImage(new Uint8Array(await response.arrayBuffer()));
  expect({ width: png.width, height: png.height, channels: png.channels }).toEqual({ ...gridSize(shape.slice(-3)), channels: 1 });
  return png;
}

async function jsonOutput(response: Response): Promise<{ output: TensorJson; kernels?: string[]; model?: string }> {
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return (await response.json()) as { output: TensorJson; kernels?: string[]; model?: string };
}

/** What the SDK computes for the image form of conv2d: grey [1, 1, H, W] in 0–1 through the named kernels. */
function sdkConv(image: Image, names: KernelName[], options = {}): tf.Tensor {
  const weight = kernelWeight(names);
  return conv2d(batch(toTensor(image, { channels: 1 })), tf.tensor(weight.data, weight.shape), undefined, options);
}

describe('POST /v1/image/conv2d with an image body', () => {
  const image = pattern(61, 40);
  const png = encodePng(image);

  it('answers a PNG of all five named kernels\' maps, as renderFeatureMaps draws the SDK\'s conv2d output', async () => {
    const answer = await expectFeatureMapPng(await postImage('/v1/image/conv2d', png), [1, 5, 38, 59]);
    const expected = tf.tidy(() => renderFeatureMaps(sdkConv(image, KERNEL_NAMES), { labels: KERNEL_NAMES }).data);
    expect(answer.data).toEqual(expected);
  });

  it('answers the output tensor with ?format=json, equal to the SDK\'s, with the kernels in channel order', async () => {
    const body = await jsonOutput(await postImage('/v1/image/conv2d?format=json&kernel=edge,sobel_y', png, 'image/png'));
    expect(body.kernels).toEqual(['edge', 'sobel_y']);
    const expected = tf.tidy(() => {
      const y = sdkConv(image, ['edge', 'sobel_y']);
      return { shape: y.shape, data: Array.from(y.dataSync()) };
    });
    expect(body.output).toEqual(expected);
  });

  it('takes JPEG bodies too (the bytes decide the format), with charset-like parameters on the Content-Type', async () => {
    const response = await postImage('/v1/image/conv2d?kernel=blur', fromBase64(images['rgb.jpg']), 'image/jpeg; q=1');
    await expectFeatureMapPng(response, [1, 1, 14, 14]);
  });

  it.each([
    ['stride=2', { stride: 2 }],
    ['stride=2,1&padding=1,2', { stride: [2, 1], padding: [1, 2] }],
    ['padding=same', { padding: 'same' }],
    ['padding=full&dilation=2', { padding: 'full', dilation: 2 }],
    ['padding=valid&dilation=1,3', { padding: 'valid', dilation: [1, 3] }],
  ] as const)('?%s gives the output size F.conv2d gives', async (query, options) => {
    const body = await jsonOutput(await postImage(`/v1/image/conv2d?kernel=sharpen&format=json&${query}`, png));
    const expected = tf.tidy(() => sdkConv(image, ['sharpen'], options).shape);
    expect(body.output.shape).toEqual(expected);
    expect(body.output.data).toHaveLength(expected.reduce((a, b) => a * b, 1));
  });

  it('applies the kernels as cross-correlations: sobel_x sees a vertical edge, sobel_y does not', async () => {
    // Left half black, right half white.
    const edge = solid(8, 6, 0, 1);
    for (let y = 0; y < 6; y++) edge.data.fill(255, y * 8 + 4, y * 8 + 8);
    const body = await jsonOutput(await postImage('/v1/image/conv2d?format=json&kernel=sobel_x,sobel_y', encodePng(edge)));
    const [sobelX, sobelY] = [body.output.data.slice(0, 4 * 6), body.output.data.slice(4 * 6)];
    // Output columns 0..5 cover input columns 0..7: windows centred on input columns 3 and 4 straddle the edge.
    expect(sobelX).toEqual(Array.from({ length: 4 }, () => [0, 0, 4, 4, 0, 0]).flat());
    expect(sobelY.every((v) => v === 0)).toBe(true);
  });

  it('blur and sharpen keep a flat image\'s value, edge and the sobels give 0', async () => {
    const flat = encodePng(solid(5, 5, 51, 1)); // 51/255 = 0.2
    const body = await jsonOutput(await postImage('/v1/image/conv2d?format=json', flat));
    const perKernel = KERNEL_NAMES.map((_, k) => body.output.data.slice(k * 9, (k + 1) * 9));
    const expected: Record<KernelName, number> = { sobel_x: 0, sobel_y: 0, blur: 0.2, sharpen: 0.2, edge: 0 };
    KERNEL_NAMES.forEach((name, k) => {
      for (const value of perKernel[k]) expect(value, name).toBeCloseTo(expected[name], 6);
    });
  });

  it('defines each named kernel once, as a 3×3 matrix', () => {
    expect(KERNEL_NAMES).toEqual(['sobel_x', 'sobel_y', 'blur', 'sharpen', 'edge']);
    for (const name of KERNEL_NAMES) expect(KERNELS[name].flat()).toHaveLength(9);
  });

  it.each(Object.keys(images).sort())('decodes the fixture %s (every PNG/JPEG kind) and convolves its grey version', async (file) => {
    const bytes = fromBase64(images[file]);
    const { width, height } = decodeImage(bytes);
    const type = file.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
    await expectFeatureMapPng(await postImage('/v1/image/conv2d?kernel=edge', bytes, type), [1, 1, height - 2, width - 2]);
  });
});

describe('POST /v1/image/pool with an image body', () => {
  const image = pattern(33, 20);
  const png = encodePng(image);

  it('max-pools the grey image with a 2×2 window by default, answering a PNG', async () => {
    await expectFeatureMapPng(await postImage('/v1/image/pool', png), [1, 1, 10, 16]);
  });

  it.each([
    ['mode=avg&kernel_size=3&stride=2&padding=1&ceil_mode=true&count_include_pad=false', 3, 2, 1, true],
    ['kernel_size=3&stride=2&ceil_mode=1', 3, 2, 0, true],
    ['kernel_size=2,3&stride=1,2', [2, 3], [1, 2], 0, false],
    ['mode=avg&kernel_size=4&padding=2&ceil_mode=false', 4, 4, 2, false],
  ] as const)('?%s gives the output size F.outputSize gives', async (query, kernel, stride, padding, ceilMode) => {
    const pair = (v: number | readonly number[]) => (typeof v === 'number' ? [v, v] : v);
    const [kh, kw] = pair(kernel);
    const [sh, sw] = pair(stride);
    const shape = [
      1,
      1,
      outputSize(20, kh, { stride: sh, padding, ceilMode }),
      outputSize(33, kw, { stride: sw, padding, ceilMode }),
    ];
    await expectFeatureMapPng(await postImage(`/v1/image/pool?${query}`, png), shape);
    expect((await jsonOutput(await postImage(`/v1/image/pool?format=json&${query}`, png))).output.shape).toEqual(shape);
  });

  it('max pooling of the image equals the grey image\'s maxima (values 0–1)', async () => {
    const grey = solid(4, 2, 0, 1);
    grey.data.set([0, 51, 102, 255, 153, 0, 0, 204]);
    const body = await jsonOutput(await postImage('/v1/image/pool?format=json', encodePng(grey)));
    expect(body.output).toEqual({ shape: [1, 1, 1, 2], data: [Math.fround(153 / 255), 1] });
  });
});

describe('POST /v1/models/{name}/transform', () => {
  /** The features bundle: Conv2d(3, 4, 3, stride=2) then MaxPool2d(2). */
  const featuresShape = (height: number, width: number) => {
    const conv = (size: number) => outputSize(size, 3, { stride: 2 });
    return [1, 4, outputSize(conv(height), 2, { stride: 2 }), outputSize(conv(width), 2, { stride: 2 })];
  };

  it('runs the features bundle on an image, answering its 4 feature maps as a PNG with shape [1, 4, H\', W\']', async () => {
    const shape = featuresShape(48, 64);
    expect(shape).toEqual([1, 4, 11, 15]);
    await expectFeatureMapPng(await postImage('/v1/models/features/transform', encodePng(pattern(64, 48))), shape);
  });

  it.each(['rgb.jpg', 'progressive.jpg', 'gray.jpg', 'rgb8_adam7.png', 'pattern-640x427.jpg'])(
    'on the fixture %s (converted to RGB), answering JSON with ?format=json',
    async (file) => {
      const bytes = fromBase64(images[file]);
      const { width, height } = decodeImage(bytes);
      const type = file.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
      const body = await jsonOutput(await postImage('/v1/models/features/transform?format=json', bytes, type));
      expect(body.model).toBe('features');
      expect(body.output.shape).toEqual(featuresShape(height, width));
    },
  );

  it('decodes a CMYK JPEG (jpeg-js converts it to RGB)', async () => {
    const response = await postImage('/v1/models/features/transform?format=json', fromBase64(CMYK_JPEG), 'image/jpeg');
    expect((await jsonOutput(response)).output.shape).toEqual(featuresShape(8, 8));
  });
});

describe('the features bundle among the models', () => {
  it('GET /v1/models lists it as an image-transform model', async () => {
    const { models } = (await (await get('/v1/models')).json()) as { models: { name: string; task: string }[] };
    expect(models.map(({ name, task }) => ({ name, task }))).toEqual([
      { name: MODEL, task: 'tabular-classification' },
      { name: 'features', task: 'image-transform' },
      { name: 'digits', task: 'image-classification' },
    ]);
  });

  it('POST /v1/models/features/predict answers 422 invalid_input: it classifies nothing', async () => {
    const error = await expectError(await predict([[1, 2, 3]], 'features'), 422, 'invalid_input');
    expect(error.message).toMatch(/image-transform/);
  });
});

describe('the OpenAPI document', () => {
  interface Operation {
    parameters?: { name: string; in: string }[];
    requestBody?: { required?: boolean; content: Record<string, unknown> };
    responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
  }
  const operation = async (path: string): Promise<Operation> =>
    ((await (await get('/openapi.json')).json()) as { paths: Record<string, { post: Operation }> }).paths[path].post;

  it.each([
    ['/v1/image/conv2d', ['application/json', 'image/png', 'image/jpeg'], ['kernel', 'stride', 'padding', 'dilation', 'format']],
    ['/v1/image/pool', ['application/json', 'image/png', 'image/jpeg'], ['mode', 'kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'format']],
    ['/v1/models/{name}/transform', ['image/png', 'image/jpeg'], ['name', 'format', 'layer']],
  ])('documents %s: its body types, parameters, PNG/JSON answers and error statuses', async (path, types, parameters) => {
    const op = await operation(path);
    expect(Object.keys(op).sort()).toEqual(['description', 'parameters', 'requestBody', 'responses', 'security', 'summary']);
    expect(op.requestBody?.required).toBe(true);
    expect(Object.keys(op.requestBody!.content)).toEqual(types);
    expect(op.parameters!.map(({ name }) => name).sort()).toEqual([...parameters].sort());
    expect(Object.keys(op.responses[200].content!).sort()).toEqual(['application/json', 'image/png']);
    expect(op.responses[200].headers).toHaveProperty('X-Output-Shape');
    for (const status of ['401', '413', '415', '422']) expect(op.responses).toHaveProperty(status);
  });
});

describe('with EDGEML_API_TOKEN set', () => {
  it('the image routes need the bearer token like every /v1 route', async () => {
    const send = viaApp(createApp({ models: defaultModels }), { EDGEML_API_TOKEN: 'secret' });
    const png = encodePng(pattern(8, 8));
    for (const path of ['/v1/image/conv2d', '/v1/image/pool', '/v1/models/features/transform']) {
      await expectError(await postImage(path, png, 'image/png', send), 401, 'unauthorized');
      const authorised = await send(path, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', Authorization: 'Bearer secret' },
        body: png,
      });
      expect(authorised.status, path).toBe(200);
      await authorised.arrayBuffer();
    }
  });
});

/** An 8×8 CMYK JPEG (ImageMagick: `convert -size 8x8 gradient:red-blue -colorspace CMYK`), Adobe APP14 marker. */
const CMYK_JPEG =
  '/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU' +
  '/9sAQwEDBAQFBAUJBQUJFA0LDRQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU/8AAFAgACAAIBAERAAIRAQMR' +
  'AQQRAP/EABQAAQAAAAAAAAAAAAAAAAAAAAj/xAAdEAABAgcAAAAAAAAAAAAAAAAAAQMGEhcnUZHw/8QAFAEBAAAAAAAAAAAAAAAAAAAACP/EABkRAAEF' +
  'AAAAAAAAAAAAAAAAAAEABRdRkf/aAA4EAQACEQMRBAAAPwBMU6ifLWlDVPrlQ1EKEnixhTBvd0x//9k=';
