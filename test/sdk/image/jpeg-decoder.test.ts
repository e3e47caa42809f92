// The WebAssembly JPEG decoder (sdk/image/mozjpeg.ts) across failures: libjpeg reports a fatal error through
// exit(), which leaves its instance's stack and heap as they were, so a reused instance breaks after some dozens of
// failed decodes. The wrapper must start a fresh one after every failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageError } from '../../../sdk/image/index';
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
});
