// jpeg-js's own limits come from the frame header's size, so no segment after it can make the decoder allocate for
// more pixels than were checked against maxPixels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageError } from '../../../sdk/image/index';
import { repoRoot } from '../../helpers/fixtures';

const rgb = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/bad/rgb-16x12.jpg')));

/** The file with a second frame header (SOF0) right after the first, claiming `width` × `height`. */
function withSecondFrame(width: number, height: number): Uint8Array {
  const at = Buffer.from(rgb).indexOf(Buffer.from([0xff, 0xc0]));
  const length = (rgb[at + 2] << 8) | rgb[at + 3];
  const second = Buffer.from(rgb.subarray(at, at + 2 + length));
  second.writeUInt16BE(height, 5);
  second.writeUInt16BE(width, 7);
  return new Uint8Array(Buffer.concat([rgb.subarray(0, at + 2 + length), second, rgb.subarray(at + 2 + length)]));
}

describe('JPEG decoding allocates for the declared frame only', () => {
  it('decodes the 16 × 12 file', () => {
    expect(decodeImage(rgb)).toMatchObject({ width: 16, height: 12, channels: 3 });
  });

  it('refuses a second, larger frame header before jpeg-js allocates for it', () => {
    let error: unknown;
    try {
      decodeImage(withSecondFrame(4096, 4096));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImageError);
    // jpeg-js's limit, not its later "only single frame JPEGs supported", which comes after 200 MB of blocks.
    expect((error as ImageError).details?.reason).toMatch(/limit exceeded/);
  });
});
