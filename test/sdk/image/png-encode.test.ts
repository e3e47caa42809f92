import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../sdk/crc32';
import type { Image } from '../../../sdk/image/image';
import { writePng } from '../../../sdk/image/png-encode';

/** An image of arbitrary bytes whose data is a view at an odd offset into a larger buffer, as a tensor's may be. */
const images = fc
  .record({
    width: fc.integer({ min: 1, max: 23 }),
    height: fc.integer({ min: 1, max: 6 }),
    channels: fc.constantFrom(1, 2, 3, 4),
    offset: fc.integer({ min: 0, max: 7 }),
    seed: fc.nat(),
  })
  .map(({ width, height, channels, offset, seed }) => {
    let state = seed;
    const buffer = Uint8Array.from({ length: offset + width * height * channels + 5 }, () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24);
    return { width, height, channels, data: buffer.subarray(offset, offset + width * height * channels) } as Image;
  });

/** The zlib stream of the PNG's IDAT chunk (writePng writes one). */
function idat(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset);
  for (let at = 8; ; at += 12 + view.getUint32(at)) {
    if (String.fromCharCode(...png.subarray(at + 4, at + 8)) === 'IDAT') return png.subarray(at + 8, at + 8 + view.getUint32(at));
  }
}

describe('writePng', () => {
  it('gives another decoder (fast-png, checking every CRC) the image back: every channel count, width and offset', () => {
    fc.assert(
      fc.property(images, (image) => {
        const decoded = decode(writePng(image), { checkCrc: true });
        expect([decoded.width, decoded.height, decoded.channels, decoded.depth]).toEqual([image.width, image.height, image.channels, 8]);
        expect(Buffer.from(decoded.data as Uint8Array).equals(image.data)).toBe(true);
      }),
    );
  });

  it('stores the first row unfiltered and every other row Up-filtered (minus the row above, modulo 256)', () => {
    fc.assert(
      fc.property(images, ({ width, height, channels, data }) => {
        const rows = inflateSync(idat(writePng({ width, height, channels, data })));
        const row = width * channels;
        expect(rows.length).toBe(height * (row + 1));
        for (let y = 0; y < height; y++) {
          expect(rows[y * (row + 1)]).toBe(y === 0 ? 0 : 2);
          for (let x = 0; x < row; x++) {
            const above = y === 0 ? 0 : data[(y - 1) * row + x];
            expect(rows[y * (row + 1) + 1 + x]).toBe((data[y * row + x] - above) & 0xff);
          }
        }
      }),
    );
  });
});

describe('crc32', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 24);

  it('is the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("equals zlib's for every length up to 40 and every alignment, and for long and arbitrary data", () => {
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 0; length <= 40; length++) {
        const part = bytes.subarray(offset, offset + length);
        expect(crc32(part), `offset ${offset}, length ${length}`).toBe(zlibCrc32(part));
      }
    }
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => crc32(data) === zlibCrc32(data)));
  });
});
