// The WebAssembly JPEG decoder (sdk/image/mozjpeg.ts) across failures: libjpeg reports a fatal error through
// exit(), which leaves its instance's stack and heap as they were, so a reused instance breaks after some dozens of
// failed decodes. The wrapper must start a fresh one after every failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageError } from '../../../sdk/image/index';
import { decodeJpegRgba } from '../../../sdk/image/mozjpeg';
import { repoRoot } from '../../helpers/fixtures';
import { thrown } from '../../helpers/errors';

const file = (path: string) => new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', path)));

describe('the JPEG decoder', () => {
  it('decodes correctly after 300 fatal libjpeg errors in a row', () => {
    const good = file('images/rgb.jpg');
    const expected = decodeImage(good).data;
    const corrupt = file('bad/corrupt.jpg');
    for (let i = 0; i < 300; i++) {
      const error = thrown(ImageError, () => decodeImage(corrupt));
      expect([error.code, error.details?.reason]).toEqual(['corrupt_image', 'Bogus Huffman table definition']);
    }
    expect(decodeImage(good).data).toEqual(expected);
  });

  it('refuses a file whose data ends early, which libjpeg would fill with grey', () => {
    const error = thrown(ImageError, () => decodeImage(file('bad/truncated.jpg')));
    expect([error.code, error.details?.reason]).toEqual(['corrupt_image', 'Premature end of JPEG file']);
  });

  it('gives a greyscale file one channel', () => {
    expect(decodeImage(file('images/gray.jpg'))).toMatchObject({ width: 16, height: 16, channels: 1 });
  });

  it.each([
    [1, 1],
    [5, 3],
    [2, 3],
    [4, 1],
    [7, 7],
    [16, 9],
  ])('gives an RGB file of %i×%i pixels libjpeg’s samples without their alpha, whatever the count modulo 4', (width, height) => {
    const pixels = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 73 + 41) % 256);
    const bytes = new Uint8Array(encode({ width, height, data: pixels }, 95).data);
    const rgba = decodeJpegRgba(bytes).data;
    const expected = Uint8Array.from({ length: width * height * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
    expect(decodeImage(bytes)).toEqual({ width, height, channels: 3, data: expected });
  });
});
