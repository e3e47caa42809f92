// Zlib bombs: PNGs whose header is within every limit but whose compressed data inflates to far more than the
// declared size needs. The decoder must refuse them after inflating little more than that size: the inflater's output
// is counted (fflate's Unzlib, wrapped), never timed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeImage, ImageError } from '../../../sdk/image/index';
import { repoRoot } from '../../helpers/fixtures';

const inflated = vi.hoisted(() => ({ bytes: 0 }));
vi.mock('fflate', async (importOriginal) => {
  const fflate = await importOriginal<typeof import('fflate')>();
  class CountingUnzlib extends fflate.Unzlib {
    constructor(ondata: import('fflate').FlateStreamHandler) {
      super((chunk, final) => {
        inflated.bytes += chunk.length;
        ondata(chunk, final);
      });
    }
  }
  return { ...fflate, Unzlib: CountingUnzlib };
});

const bad = (name: string) => new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/bad', name)));
/** What one 4 KiB slice of compressed data can inflate to at most (deflate's ~1032:1), plus a 258-byte match. */
const ONE_SLICE = 1032 * 4096 + 258;

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** An 8-bit grey PNG of `width` × `height` whose IDAT holds `scanlines` (filter bytes included), deflated. */
function greyPng(width: number, height: number, scanlines: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = chunk('IDAT', deflateSync(scanlines));
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), idat, chunk('IEND', new Uint8Array())]));
}

function refusal(bytes: Uint8Array): ImageError {
  try {
    decodeImage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    return error as ImageError;
  }
  throw new Error('expected an ImageError, but the image decoded');
}

beforeEach(() => {
  inflated.bytes = 0;
});

describe('PNG image data is inflated to exactly the size the header declares', () => {
  it.each([
    ['zlib-bomb-1000x1000.png', 1000 * 1001, 64 << 20],
    ['zlib-bomb-adam7-1000x1000.png', 1_001_875, 16 << 20],
  ])('refuses %s after inflating at most one slice past its %i bytes (of %i)', (name, declared, bomb) => {
    const error = refusal(bad(name));
    expect(error.code).toBe('corrupt_image');
    expect(error.message).toMatch(`inflates to more than the ${declared} bytes its header declares`);
    expect(inflated.bytes).toBeGreaterThan(declared);
    expect(inflated.bytes).toBeLessThanOrEqual(declared + ONE_SLICE);
    expect(inflated.bytes).toBeLessThan(bomb / 2);
  });

  it('refuses a single byte more than the rows need', () => {
    const error = refusal(greyPng(3, 2, new Uint8Array(2 * 4 + 1)));
    expect(error.code).toBe('corrupt_image');
    expect(error.message).toMatch('inflates to more than the 8 bytes');
  });

  it('refuses a byte fewer, naming how much was there', () => {
    const error = refusal(greyPng(3, 2, new Uint8Array(2 * 4 - 1)));
    expect(error.code).toBe('corrupt_image');
    expect(error.message).toMatch('ends after 7 of the 8 bytes');
  });

  it('decodes exactly the declared rows', () => {
    expect(decodeImage(greyPng(3, 2, Uint8Array.of(0, 1, 2, 3, 1, 4, 1, 1)))).toEqual({
      width: 3,
      height: 2,
      channels: 1,
      data: Uint8Array.of(1, 2, 3, 4, 5, 6),
    });
  });

  it('never inflates an ICC profile: a 16 MiB one costs nothing', () => {
    const image = decodeImage(bad('icc-bomb-16x12.png'));
    expect([image.width, image.height, image.channels]).toEqual([16, 12, 3]);
    expect(inflated.bytes).toBe(12 * (1 + 16 * 3));
  });
});
