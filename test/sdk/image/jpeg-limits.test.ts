// No segment after the frame header can make a decoder allocate for more pixels than were checked against maxPixels:
// libjpeg (RGB and grey files) refuses a second frame header outright; jpeg-js (CMYK files only) has its limits set
// from the first one's size.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageError } from '../../../sdk/image/index';
import { repoRoot } from '../../helpers/fixtures';

const rgb = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/bad/rgb-16x12.jpg')));
const cmyk = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/bad/cmyk.jpg')));

/** The file with a second frame header (SOF0) right after the first, claiming `width` × `height`. */
function withSecondFrame(file: Uint8Array, width: number, height: number): Uint8Array {
  const at = Buffer.from(file).indexOf(Buffer.from([0xff, 0xc0]));
  const length = (file[at + 2] << 8) | file[at + 3];
  const second = Buffer.from(file.subarray(at, at + 2 + length));
  second.writeUInt16BE(height, 5);
  second.writeUInt16BE(width, 7);
  return new Uint8Array(Buffer.concat([file.subarray(0, at + 2 + length), second, file.subarray(at + 2 + length)]));
}

function refusal(bytes: Uint8Array): ImageError {
  let error: unknown;
  try {
    decodeImage(bytes);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe('JPEG decoding allocates for the declared frame only', () => {
  it('decodes the 16 × 12 file', () => {
    expect(decodeImage(rgb)).toMatchObject({ width: 16, height: 12, channels: 3 });
  });

  it('refuses a second, larger frame header before libjpeg allocates for it', () => {
    const error = refusal(withSecondFrame(rgb, 4096, 4096));
    expect([error.code, error.details?.reason]).toEqual(['corrupt_image', 'Invalid JPEG file structure: two SOF markers']);
  });

  it('refuses a second, larger frame header in a CMYK file before jpeg-js allocates for it', () => {
    // jpeg-js's limit, not its later "only single frame JPEGs supported", which comes after 200 MB of blocks.
    expect(refusal(withSecondFrame(cmyk, 4096, 4096)).details?.reason).toMatch(/limit exceeded/);
  });
});
