import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng, ImageError, imageInfo, type Image } from '../../../sdk/image/index';
import { repoRoot } from '../../helpers/fixtures';
import { thrown } from '../../helpers/errors';

interface Expected {
  width: number;
  height: number;
  channels: number;
  data: number[];
  tolerance?: number;
  note: string;
}

const fixtures = join(repoRoot, 'test/fixtures/images');
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
const read = (path: string) => new Uint8Array(readFileSync(path));
const fixture = (name: string) => read(join(fixtures, name));

describe('decodeImage decodes every kind of fixture to its known pixels', () => {
  it.each(Object.entries(expected))('%s', (name, want) => {
    const image = decodeImage(fixture(name));
    expect([image.width, image.height, image.channels]).toEqual([want.width, want.height, want.channels]);
    expect(image.data).toBeInstanceOf(Uint8Array);
    const tolerance = want.tolerance ?? 0;
    const worst = want.data.findIndex((v, i) => Math.abs(image.data[i] - v) > tolerance);
    expect(worst, `sample ${worst}: got ${image.data[worst]}, expected ${want.data[worst]} (${want.note})`).toBe(-1);
    expect(image.data.length).toBe(want.data.length);
  });

  it('gives a progressive JPEG exactly the pixels of the baseline file it was made from', () => {
    expect(decodeImage(fixture('progressive.jpg')).data).toEqual(decodeImage(fixture('rgb.jpg')).data);
  });
});

describe('imageInfo reads format and size from the header', () => {
  it.each(Object.entries(expected))('%s', (name, want) => {
    const format = name.endsWith('.png') ? 'png' : 'jpeg';
    expect(imageInfo(fixture(name))).toEqual({ format, width: want.width, height: want.height });
  });

  it('needs only the first 33 bytes of a PNG', () => {
    expect(imageInfo(fixture('rgb8_adam7.png').subarray(0, 33))).toEqual({ format: 'png', width: 7, height: 5 });
  });
});

describe('encodePng', () => {
  it.each([1, 2, 3, 4] as const)('round-trips %i-channel images losslessly', (channels) => {
    const [width, height] = [13, 7];
    const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 97 + 13) % 256);
    const image: Image = { width, height, channels, data };
    const bytes = encodePng(image);
    expect(imageInfo(bytes)).toEqual({ format: 'png', width, height });
    expect(decodeImage(bytes)).toEqual(image);
  });

  it('refuses an image whose data does not fit its size', () => {
    const short = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(11) };
    expect(() => encodePng(short)).toThrow(/width·height·channels/);
  });
});

const samples = join(repoRoot, '../shared/data/images');
const rocket = join(samples, 'rocket.jpg');
const chelsea = join(samples, 'chelsea.png');

const samplesAbsent = !existsSync(rocket) || !existsSync(chelsea);

describe.skipIf(samplesAbsent)('the sample photos in ../shared/data/images (skipped when absent)', () => {
  it('decodes rocket.jpg (640×427 RGB) close to libjpeg (Pillow 9.4) pixels', () => {
    const image = decodeImage(read(rocket));
    expect([image.width, image.height, image.channels]).toEqual([640, 427, 3]);
    // Pillow: [0,0] = (17,33,58), [150,200] = (75,72,65), mean 65.277; decoders differ by their IDCT and upsampling.
    const at = (y: number, x: number) => Array.from(image.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3));
    at(0, 0).forEach((v, c) => expect(Math.abs(v - [17, 33, 58][c])).toBeLessThanOrEqual(2));
    at(150, 200).forEach((v, c) => expect(Math.abs(v - [75, 72, 65][c])).toBeLessThanOrEqual(2));
    expect(Math.abs(image.data.reduce((a, b) => a + b, 0) / image.data.length - 65.277)).toBeLessThan(1);
  });

  it('decodes chelsea.png (451×300 RGB) to exactly the pixels Pillow reads', () => {
    const image = decodeImage(read(chelsea));
    expect([image.width, image.height, image.channels]).toEqual([451, 300, 3]);
    const at = (y: number, x: number) => Array.from(image.data.subarray((y * 451 + x) * 3, (y * 451 + x) * 3 + 3));
    expect(at(0, 0)).toEqual([143, 120, 104]);
    expect(at(150, 200)).toEqual([125, 64, 35]);
    expect(at(299, 0)).toEqual([139, 103, 71]);
  });

  it('reads both sizes from a header-sized prefix, without the image data', () => {
    expect(imageInfo(read(rocket).subarray(0, 1000))).toEqual({ format: 'jpeg', width: 640, height: 427 });
    expect(imageInfo(read(chelsea).subarray(0, 33))).toEqual({ format: 'png', width: 451, height: 300 });
  });
});

describe('bad bytes always raise a typed ImageError', () => {
  it('calls anything but PNG or JPEG unsupported', () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('GIF89a....'), new Uint8Array([0x42, 0x4d, 0, 0])]) {
      expect(thrown(ImageError, () => decodeImage(bytes)).code).toBe('unsupported_image');
      expect(thrown(ImageError, () => imageInfo(bytes)).code).toBe('unsupported_image');
    }
  });

  it('calls truncated files corrupt', () => {
    for (const name of ['rgb8.png', 'rgb8_adam7.png', 'rgb.jpg', 'progressive.jpg']) {
      const bytes = fixture(name);
      expect(thrown(ImageError, () => decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)))).code).toBe('corrupt_image');
      expect(thrown(ImageError, () => decodeImage(bytes.subarray(0, bytes.length - 12))).code).toBe('corrupt_image');
    }
    expect(thrown(ImageError, () => imageInfo(fixture('rgb.jpg').subarray(0, 20))).code).toBe('corrupt_image');
  });

  it('calls a PNG with a damaged byte corrupt (its chunk CRC no longer matches)', () => {
    const bytes = fixture('rgb8.png').slice();
    bytes[bytes.length - 20] ^= 0xff;
    expect(thrown(ImageError, () => decodeImage(bytes)).code).toBe('corrupt_image');
  });

  it('refuses, from the header alone, an image with more pixels than allowed', () => {
    const error = thrown(ImageError, () => decodeImage(fixture('rgb.jpg'), { maxPixels: 255 }));
    expect(error.code).toBe('image_too_large');
    expect(error.message).toMatch(/16×16 is 256 pixels; at most 255/);
  });

  it('never lets a decoder exception escape: every truncation and single-byte change of every fixture', () => {
    for (const name of Object.keys(expected)) {
      const bytes = fixture(name);
      const variants = [
        ...Array.from({ length: bytes.length }, (_, cut) => bytes.subarray(0, cut)),
        ...Array.from({ length: bytes.length }, (_, i) => bytes.map((b, j) => (i === j ? b ^ 0x5a : b))),
      ];
      for (const variant of variants) {
        try {
          decodeImage(variant);
        } catch (error) {
          expect(error, name).toBeInstanceOf(ImageError);
        }
      }
    }
  });
});
