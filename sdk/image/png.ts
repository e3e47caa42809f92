import { decode, type DecodedPng } from 'fast-png';
import { ImageError } from '../errors';
import type { Image } from './image';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** Width and height from the IHDR chunk, which the PNG format puts first, right after the signature. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 33 || type !== 'IHDR') throw new ImageError('corrupt_image', 'PNG data has no IHDR header');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) throw new ImageError('corrupt_image', `PNG header gives a size of ${width}×${height}`);
  return { width, height };
}

/**
 * Decodes a PNG of any colour type, bit depth or interlacing (fast-png) into 8-bit samples: palette images become RGB
 * (RGBA when they carry transparency), 1/2/4-bit grey is stretched to 0–255, and 16-bit samples keep their high byte
 * (⌊v/256⌋, as PIL does when it opens a 16-bit RGB PNG as "RGB"). A tRNS colour key on grey or RGB images is ignored.
 */
export function decodePng(bytes: Uint8Array): Image {
  const png = decode(bytes, { checkCrc: true });
  const { width, height } = png;
  // A truecolour PNG may carry a suggested palette too; only indexed images (one channel) are made of indices.
  if (png.palette && png.channels === 1) return expandPalette(png);
  const channels = png.channels as Image['channels'];
  if (png.depth === 16) return { width, height, channels, data: Uint8Array.from(png.data, (v) => v >> 8) };
  if (png.depth < 8) {
    const stretch = 255 / (2 ** png.depth - 1);
    return { width, height, channels, data: unpackRows(png).map((v) => v * stretch) };
  }
  return { width, height, channels, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
}

function expandPalette(png: DecodedPng): Image {
  const palette = png.palette!;
  const channels = palette[0].length as 3 | 4;
  const indices = png.depth === 8 ? png.data : unpackRows(png);
  const data = new Uint8Array(indices.length * channels);
  indices.forEach((index, i) => {
    const colour = palette[index];
    if (!colour) throw new ImageError('corrupt_image', `PNG pixel uses palette entry ${index} of ${palette.length}`);
    data.set(colour, i * channels);
  });
  return { width: png.width, height: png.height, channels, data };
}

/** One sample per byte from rows of 1, 2 or 4-bit samples packed big-end first, each row starting on a byte. */
function unpackRows({ data, width, height, depth }: DecodedPng): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const perByte = 8 / depth;
  const mask = 2 ** depth - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = data[y * rowBytes + Math.floor(x / perByte)];
      out[y * width + x] = (byte >> (8 - depth * ((x % perByte) + 1))) & mask;
    }
  }
  return out;
}
