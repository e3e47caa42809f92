/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Every limit and bad input of the image routes, with its exact status and error code (DESIGN.md's error shape).
// Order of checks: model (404, 422 wrong_task) → Content-Type (415) → body size (413) → query (422) → JSON schema
// (400/422) → declared tensor sizes and output size (413) → values (422); for images: header (415/422) → image
// size (413) → output size (413) → decoding (422).
import { describe, expect, inject, it } from 'vitest';
import { encodePng } from '../../sdk/image/codec';
import { solid } from '../../sdk/image/layout';
import { fromBase64, type TensorJson } from '../worker-node/image-cases';
import { expectError, MODEL, post, viaSelf } from './helpers';

const { images } = inject('imageParity');
const MIB = 1024 * 1024;
const CONV = '/v1/image/conv2d';
const POOL = '/v1/image/pool';
const TRANSFORM = '/v1/models/features/transform';

function postImage(path: string, body: BodyInit, type = 'image/png'): Promise<Response> {
  return viaSelf(path, { method: 'POST', headers: { 'Content-Type': type }, body });
}

const tensor = (shape: number[], value = 1): TensorJson => ({ shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(value) });
const conv = (fields: Record<string, unknown>) => post(CONV, { input: tensor([1, 1, 4, 4]), weight: tensor([1, 1, 3, 3]), ...fields });
const pool = (fields: Record<string, unknown>) => post(POOL, { input: tensor([1, 1, 4, 4]), kernel_size: 2, ...fields });

// ---- Crafted images ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A valid 1×1 grey PNG whose IHDR (with a correct CRC) claims `width`×`height`: a few dozen bytes that would
 * decompress to width·height pixels (a decompression bomb), or be refused from the header alone.
 */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = encodePng(solid(1, 1, 0, 1)).slice();
  const view = new DataView(png.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(png.subarray(12, 29))); // over the chunk type and data
  return png;
}

/** A JPEG that stops after its frame header: SOF `marker` (0xc0 baseline, 0xc3 lossless) of `width`×`height`. */
function jpegHeader(marker: number, width: number, height: number, precision = 8): Uint8Array {
  return new Uint8Array([
    0xff, 0xd8, 0xff, marker, 0x00, 0x11, precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 3,
    1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9,
  ]);
}

const GIF = new Uint8Array([
  ...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0,
  0, 2, 2, 0x44, 0x01, 0, 0x3b,
]);

function randomBytes(count: number, seed = 7): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length: count }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
}

/** A body of `bytes` bytes streamed in 64 KiB chunks, without Content-Length (chunked). */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(chunk.length, bytes - sent);
      controller.enqueue(chunk.slice(0, size));
      sent += size;
    },
  });
}

describe('413 image_too_large, from the header, before decoding', () => {
  it.each([
    ['a 4097×1 PNG (a side over 4096)', encodePng(solid(4097, 1, 0, 1)), 4096],
    ['a 5000×4000 PNG header (20 megapixels)', pngClaiming(5000, 4000), 4096],
    ['a tiny PNG claiming 10000×10000 (decompression bomb)', pngClaiming(10_000, 10_000), 4096],
    ['a JPEG header claiming 4097×300', jpegHeader(0xc0, 4097, 300), 4096],
    ['a 4096×4096 PNG header: sides allowed, 16 Mi pixels over the 2 Mi-pixel budget', pngClaiming(4096, 4096), 2 * MIB],
    ['a 1025×2048 PNG header: one column over the 2 Mi-pixel budget', pngClaiming(1025, 2048), 2 * MIB],
  ])('for %s', async (_, bytes, limit) => {
    for (const path of [CONV, POOL, TRANSFORM]) {
      const error = await expectError(await postImage(path, bytes), 413, 'image_too_large');
      expect(error.details).toMatchObject({ limit });
    }
  });

  it('for the features transform, from 4 Mi elements as a [3, H, W] tensor (1,398,101 pixels)', async () => {
    const error = await expectError(await postImage(TRANSFORM, pngClaiming(1183, 1183)), 413, 'image_too_large');
    expect(error.message).toMatch(/\[3, 1183, 1183\] tensor/);
    // The same header is within the grey routes' limit: it gets as far as decoding the (fake) data.
    await expectError(await postImage(POOL, pngClaiming(1183, 1183)), 422, 'corrupt_image');
  });

  it('not for a bomb within the limits: its data fails to decode as the header claims (422 corrupt_image)', async () => {
    await expectError(await postImage(POOL, pngClaiming(1024, 2048)), 422, 'corrupt_image');
    await expectError(await postImage(`${CONV}?kernel=blur`, pngClaiming(1024, 2048)), 422, 'corrupt_image');
  });
});

describe('413 payload_too_large for bodies over 10 MiB', () => {
  it('an 11 MB image sent chunked, without Content-Length, counting the streamed bytes', async () => {
    for (const path of [CONV, TRANSFORM]) {
      const error = await expectError(await postImage(path, chunked(11_000_000)), 413, 'payload_too_large');
      expect(error.details).toEqual({ limit_bytes: 10 * MIB });
    }
  });

  it('an 11 MB image with Content-Length', async () => {
    await expectError(await postImage(POOL, new Uint8Array(11_000_000)), 413, 'payload_too_large');
  });

  it('an 11 MB JSON body, and not a 2 MiB one (the image routes take more than predict\'s 1 MiB)', async () => {
    const padded = (bytes: number) => {
      const head = '{"input":{"shape":[1,1,1,1],"data":[1]},"weight":{"shape":[1,1,1,1],"data":[';
      const zeros = '0,'.repeat(Math.floor((bytes - head.length - 4) / 2));
      return `${head}${zeros}0]}}`;
    };
    await expectError(await post(CONV, padded(11_000_000)), 413, 'payload_too_large');
    const error = await expectError(await post(CONV, padded(2 * MIB)), 422, 'invalid_argument'); // past the size check
    expect(error.details).toMatchObject({ argument: 'weight' });
  });
});

describe('413 tensor_too_large, from declared shapes before allocating, and from the output size', () => {
  it('a conv2d input declared with 5M elements (and one value)', async () => {
    const error = await expectError(await conv({ input: { shape: [5, 1, 1000, 1000], data: [1] } }), 413, 'tensor_too_large');
    expect(error.details).toEqual({ field: 'input', shape: [5, 1, 1000, 1000], elements: 5_000_000, limit: 4 * MIB });
  });

  it('a huge weight or bias, and a pool input of 65536² declared', async () => {
    await expectError(await conv({ weight: { shape: [4096, 4096, 1, 1], data: [] } }), 413, 'tensor_too_large');
    await expectError(await conv({ bias: { shape: [4 * MIB + 1], data: [] } }), 413, 'tensor_too_large');
    await expectError(await pool({ input: { shape: [1, 1, 65536, 65536], data: [] } }), 413, 'tensor_too_large');
  });

  it('an output over the limit: a small input with huge padding', async () => {
    const error = await expectError(await conv({ padding: 1100 }), 413, 'tensor_too_large');
    expect(error.details).toMatchObject({ field: 'output', shape: [1, 1, 2202, 2202] });
  });

  it('an output over the limit from an image: five kernels on a 1000×1000 image', async () => {
    const response = await postImage(CONV, encodePng(solid(1000, 1000, 0, 1)));
    const error = await expectError(response, 413, 'tensor_too_large');
    expect(error.details).toMatchObject({ field: 'output', shape: [1, 5, 998, 998] });
    expect((await postImage(`${CONV}?kernel=blur&stride=2`, encodePng(solid(1000, 1000, 0, 1)))).status).toBe(200);
  });
});

describe('413 computation_too_large', () => {
  it('for a conv2d of over 2³⁰ multiply-adds (weight [128, 64, 9, 9] over a 64×64×64 input)', async () => {
    const response = await conv({ input: tensor([1, 64, 64, 64], 0), weight: tensor([128, 64, 9, 9], 0) });
    const error = await expectError(response, 413, 'computation_too_large');
    expect(error.details).toEqual({ multiply_adds: 128 * 56 * 56 * 64 * 81, limit: 2 ** 30 });
  });
});

describe('415', () => {
  it.each([
    ['text/plain', CONV],
    ['application/octet-stream', POOL],
    ['image/gif', CONV],
    ['image/jpg (not a registered type)', CONV],
    ['multipart/form-data; boundary=x', TRANSFORM],
    ['application/json (transform takes images only)', TRANSFORM],
  ])('unsupported_media_type for Content-Type %s', async (type, path) => {
    const error = await expectError(await postImage(path, encodePng(solid(8, 8, 0)), type.split(' ')[0]), 415, 'unsupported_media_type');
    expect(error.message).toMatch(/Content-Type/);
  });

  it('unsupported_media_type for no Content-Type', async () => {
    const response = await viaSelf(CONV, { method: 'POST', body: new Blob([encodePng(solid(8, 8, 0))]) });
    await expectError(response, 415, 'unsupported_media_type');
  });

  it.each([
    ['random bytes sent as image/png', randomBytes(4096), 'image/png'],
    ['a GIF sent as image/png', GIF, 'image/png'],
    ['a GIF sent as image/jpeg', GIF, 'image/jpeg'],
    ['an empty body', new Uint8Array(0), 'image/png'],
    ['a lossless JPEG (SOF3), which jpeg-js cannot decode', jpegHeader(0xc3, 16, 16), 'image/jpeg'],
    ['a 12-bit JPEG', jpegHeader(0xc1, 16, 16, 12), 'image/jpeg'],
  ])('unsupported_image for %s', async (_, bytes, type) => {
    for (const path of [CONV, POOL, TRANSFORM]) await expectError(await postImage(path, bytes, type), 415, 'unsupported_image');
  });
});

describe('422 corrupt_image', () => {
  const jpeg = fromBase64(images['rgb.jpg']);
  const png = encodePng(solid(16, 16, 90, 3));

  it.each([
    ['a JPEG cut in half', jpeg.slice(0, jpeg.length >> 1), 'image/jpeg'],
    ['a JPEG cut before its frame header', jpeg.slice(0, 20), 'image/jpeg'],
    ['a JPEG without its last two bytes (EOI)', jpeg.slice(0, -2), 'image/jpeg'],
    ['a PNG cut after its IHDR', png.slice(0, 40), 'image/png'],
    ['a PNG cut before its IHDR ends', png.slice(0, 20), 'image/png'],
    ['a PNG with a flipped byte in its image data (CRC mismatch)', flipByte(png, png.length - 20), 'image/png'],
    ['a PNG with a zero width', pngClaiming(0, 5), 'image/png'],
  ])('for %s', async (_, bytes, type) => {
    for (const path of [CONV, POOL, TRANSFORM]) await expectError(await postImage(path, bytes, type), 422, 'corrupt_image');
  });
});

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 0xff;
  return copy;
}

describe('422 invalid_argument: values the operation refuses, naming the argument', () => {
  it.each([
    ['data shorter than the shape', { input: { shape: [1, 1, 4, 4], data: [1, 2, 3] } }, /input: shape \[1, 1, 4, 4\] needs 16 values/],
    ['data longer than the shape', { weight: { shape: [1, 1, 3, 3], data: new Array(10).fill(0) } }, /weight: .* needs 9 values/],
    ['a value beyond float32 (1e39)', { bias: { shape: [1], data: [1e39] } }, /bias: data\[0\]/],
    ['an input of rank 2', { input: tensor([4, 4]) }, /input/],
    ['a weight of rank 3', { weight: tensor([1, 3, 3]) }, /weight/],
    ['a channel mismatch', { weight: tensor([1, 2, 3, 3]) }, /channels/],
    ['a bias of the wrong size', { bias: tensor([2]) }, /bias/],
    ['a kernel larger than the padded input', { weight: tensor([1, 1, 5, 5]) }, /Kernel size can't be greater than actual input size/],
    ['stride 0', { stride: 0 }, /stride/],
    ['a negative stride pair', { stride: [1, -1] }, /stride/],
    ['negative padding', { padding: -1 }, /padding/],
    ['dilation 0', { dilation: 0 }, /dilation/],
    ["padding 'same' with stride 2", { padding: 'same', stride: 2 }, /padding='same' is not supported for strided convolutions/],
  ])('conv2d: %s', async (_, fields, message) => {
    const error = await expectError(await conv(fields), 422, 'invalid_argument');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['padding over half the kernel', { padding: 2 }, /pad should be at most half/],
    ['kernel_size 0', { kernel_size: 0 }, /kernel size should be greater than zero/],
    ['a negative stride', { stride: -1 }, /stride should be greater than zero/],
    ['a window larger than the input', { kernel_size: 5 }, /Output size is too small/],
    ['count_include_pad with mode max', { count_include_pad: false }, /count_include_pad applies to mode avg only/],
    ['an input of rank 5 in shape but 4 allowed', { input: tensor([2, 2]) }, /3D or 4D/],
  ])('pool: %s', async (_, fields, message) => {
    const error = await expectError(await pool(fields), 422, 'invalid_argument');
    expect(error.message).toMatch(message);
  });

  it('an output that overflows float32 (3e38 × 2)', async () => {
    const error = await expectError(
      await conv({ input: { shape: [1, 1, 1, 1], data: [3e38] }, weight: { shape: [1, 1, 1, 1], data: [2] } }),
      422,
      'invalid_argument',
    );
    expect(error.details).toEqual({ argument: 'output', index: 0 });
  });

  it.each([
    ['stride=0', CONV],
    ['stride=0', POOL],
    ['padding=same&stride=2', CONV],
    ['kernel_size=3&padding=2', POOL],
    ['dilation=40', CONV], // a dilated 3×3 kernel spanning 81 pixels over a 16×16 image
    ['kernel_size=17', POOL],
    ['count_include_pad=true', POOL],
  ])('image form: ?%s', async (query, path) => {
    await expectError(await postImage(`${path}?${query}`, encodePng(solid(16, 16, 0))), 422, 'invalid_argument');
  });
});

describe('422 invalid_request: bodies and queries that do not fit the schema, naming the field', () => {
  it.each([
    ['no input', { input: undefined }, 'input'],
    ['no weight', { weight: undefined }, 'weight'],
    ['a string among the data', { input: { shape: [1, 1, 2, 2], data: [1, 'NaN', 3, 4] } }, 'input.data.1'],
    ['a null among the data', { input: { shape: [1, 1, 2, 2], data: [1, null, 3, 4] } }, 'input.data.1'],
    ['a zero size in a shape', { input: { shape: [1, 0, 4, 4], data: [] } }, 'input.shape.1'],
    ['a fractional size in a shape', { input: { shape: [1, 1.5, 4, 4], data: [] } }, 'input.shape.1'],
    ['a shape of 5 dimensions', { input: { shape: [1, 1, 1, 4, 4], data: new Array(16).fill(0) } }, 'input.shape'],
    ['a fractional stride', { stride: 1.5 }, 'stride'],
    ['a stride of three numbers', { stride: [1, 1, 1] }, 'stride'],
    ['an unknown padding mode', { padding: 'half' }, 'padding'],
    ['a stride beyond 65535', { stride: 70_000 }, 'stride'],
    ['a tensor given as a bare list', { input: [1, 2, 3] }, 'input'],
  ])('conv2d: %s', async (_, fields, field) => {
    const error = await expectError(await conv(fields), 422, 'invalid_request');
    expect(error.details).toEqual({ field });
  });

  it.each([
    ['no kernel_size', { kernel_size: undefined }, 'kernel_size'],
    ['an unknown mode', { mode: 'min' }, 'mode'],
    ['ceil_mode as a string', { ceil_mode: 'yes' }, 'ceil_mode'],
  ])('pool: %s', async (_, fields, field) => {
    const error = await expectError(await pool(fields), 422, 'invalid_request');
    expect(error.details).toEqual({ field });
  });

  it('an unknown body field (a typo is not silently ignored)', async () => {
    const error = await expectError(await conv({ strides: 2 }), 422, 'invalid_request');
    expect(error.message).toMatch(/strides/);
  });

  it('query parameters on a JSON body, which carries its own', async () => {
    const error = await expectError(await post(`${CONV}?stride=2`, { input: tensor([1, 1, 4, 4]), weight: tensor([1, 1, 3, 3]) }), 422, 'invalid_request');
    expect(error.details).toEqual({ field: 'stride' });
    expect((await post(`${CONV}?format=json`, { input: tensor([1, 1, 4, 4]), weight: tensor([1, 1, 3, 3]) })).status).toBe(200);
  });

  it.each([
    [CONV, 'kernel=gaussian', 'kernel'],
    [CONV, 'kernel=sobel_x,', 'kernel'],
    [CONV, 'stride=two', 'stride'],
    [CONV, 'stride=1,2,3', 'stride'],
    [CONV, 'stride=123456', 'stride'],
    [CONV, 'padding=half', 'padding'],
    [CONV, 'format=gif', 'format'],
    [POOL, 'mode=min', 'mode'],
    [POOL, 'ceil_mode=yes', 'ceil_mode'],
    [POOL, 'padding=same', 'padding'],
    [TRANSFORM, 'format=svg', 'format'],
    [CONV, 'stride=1&stride=2', 'stride'],
    [CONV, 'strides=2', 'strides'],
    [POOL, 'kernel=blur', 'kernel'],
    [TRANSFORM, 'kernel=blur', 'kernel'],
  ])('%s?%s', async (path, query, field) => {
    const error = await expectError(await postImage(`${path}?${query}`, encodePng(solid(16, 16, 0))), 422, 'invalid_request');
    expect(error.details).toEqual({ field });
  });
});

describe('400 malformed_json', () => {
  it.each([CONV, POOL])('for a truncated JSON body on %s', async (path) => {
    await expectError(await post(path, '{"input": {"shape": [1'), 400, 'malformed_json');
  });

  it('for 1e999, which JSON parses to Infinity, rejected as not a finite number (422 invalid_request)', async () => {
    const body = '{"input":{"shape":[1,1,1,1],"data":[1e999]},"weight":{"shape":[1,1,1,1],"data":[1]}}';
    const error = await expectError(await post(CONV, body), 422, 'invalid_request');
    expect(error.details).toEqual({ field: 'input.data.0' });
  });
});

describe('POST /v1/models/{name}/transform: the model', () => {
  it('404 model_not_found for an unknown model, before the body is looked at', async () => {
    const error = await expectError(await postImage('/v1/models/nope/transform', 'not an image', 'text/plain'), 404, 'model_not_found');
    expect(error.details).toEqual({ model: 'nope', available: [MODEL, 'features', 'digits'] });
  });

  it('422 wrong_task for a tabular model, before the body is looked at', async () => {
    const error = await expectError(await postImage(`/v1/models/${MODEL}/transform`, 'x', 'text/plain'), 422, 'wrong_task');
    expect(error.details).toEqual({ model: MODEL, task: 'tabular-classification', expected: 'image-transform' });
  });

  it('422 invalid_input for an image too small for the model (4×3: the conv leaves 1 row, too few to pool)', async () => {
    const error = await expectError(await postImage(TRANSFORM, fromBase64(images['rgb8.png'])), 422, 'invalid_input');
    expect(error.message).toMatch(/Output size is too small/);
  });
});

describe('405 method_not_allowed', () => {
  it.each([CONV, POOL, TRANSFORM])('GET %s → Allow: POST', async (path) => {
    const response = await viaSelf(path);
    expect(response.headers.get('Allow')).toBe('POST');
    await expectError(response, 405, 'method_not_allowed');
  });
});
