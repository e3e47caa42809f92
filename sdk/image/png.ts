import { ImageError } from '../errors';
import type { Image } from './image';
import { inflateExactly } from './inflate';
import { readPngChunks, type PngHeader } from './png-chunks';
import { unfilterRows } from './png-filter';

export const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Samples per pixel by colour type (an indexed pixel is one palette index). */
const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's seven passes: the first column and row each samples, and its steps across and down (PNG spec §8.2). */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** One sub-image of the stored data: the whole image, or an Adam7 pass. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

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
 * Decodes a PNG of any colour type, bit depth or interlacing into 8-bit samples: palette images become RGB (RGBA when
 * they carry transparency), 1/2/4-bit grey is stretched to 0–255, and 16-bit samples keep their high byte (⌊v/256⌋,
 * as PIL does when it opens a 16-bit RGB PNG as "RGB"). A tRNS colour key on grey or RGB images is ignored.
 * The image data is inflated to exactly the bytes the header's size needs: a zlib bomb is refused as soon as it
 * yields more (ImageError 'corrupt_image'), after a bounded amount of work.
 */
export function decodePng(bytes: Uint8Array): Image {
  const { header, palette, paletteAlpha, data } = readPngChunks(bytes);
  const { width, height, depth, colourType } = header;
  const channels = CHANNELS[colourType];
  const passes = header.interlaced ? adam7Passes(width, height) : [{ x0: 0, y0: 0, dx: 1, dy: 1, width, height }];
  const rowBytes = (pass: Pass) => Math.ceil((pass.width * channels * depth) / 8);
  const raw = inflateExactly(
    data,
    passes.reduce((sum, pass) => sum + pass.height * (1 + rowBytes(pass)), 0),
    'PNG image data',
  );
  const samples = new Uint8Array(width * height * channels);
  let offset = 0;
  for (const pass of passes) {
    unfilterRows(raw, offset, pass.height, rowBytes(pass), Math.max(1, (channels * depth) / 8));
    for (let y = 0; y < pass.height; y++, offset += 1 + rowBytes(pass)) {
      storeRow(raw.subarray(offset + 1, offset + 1 + rowBytes(pass)), samples, pass, y, header, channels);
    }
  }
  if (colourType === 3) return expandPalette(samples, width, height, palette!, paletteAlpha);
  return { width, height, channels, data: samples };
}

function adam7Passes(width: number, height: number): Pass[] {
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: Math.max(0, Math.ceil((width - x0) / dx)),
    height: Math.max(0, Math.ceil((height - y0) / dy)),
  })).filter((pass) => pass.width > 0 && pass.height > 0); // empty passes store no rows at all (§8.2)
}

/** Writes row `y` of a pass into the full image as 8-bit samples (grey stretched, indices kept as they are). */
function storeRow(row: Uint8Array, samples: Uint8Array, pass: Pass, y: number, header: PngHeader, channels: number) {
  const { width, depth, colourType } = header;
  const count = pass.width * channels;
  const start = ((pass.y0 + y * pass.dy) * width + pass.x0) * channels;
  if (depth === 8 && pass.dx === 1) {
    samples.set(row.subarray(0, count), start);
    return;
  }
  const mask = 2 ** depth - 1;
  const stretch = depth < 8 && colourType !== 3 ? 255 / mask : 1;
  for (let k = 0; k < count; k++) {
    const c = k % channels;
    const at = start + ((k - c) / channels) * pass.dx * channels + c;
    if (depth === 16) samples[at] = row[2 * k];
    else if (depth === 8) samples[at] = row[k];
    else samples[at] = ((row[(k * depth) >> 3] >> (8 - depth - ((k * depth) & 7))) & mask) * stretch;
  }
}

function expandPalette(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
  alpha: Uint8Array | undefined,
): Image {
  const entries = palette.length / 3;
  const channels = alpha ? 4 : 3;
  const data = new Uint8Array(indices.length * channels);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (index >= entries) throw new ImageError('corrupt_image', `PNG pixel uses palette entry ${index} of ${entries}`);
    data.set(palette.subarray(index * 3, index * 3 + 3), i * channels);
    if (alpha) data[i * channels + 3] = index < alpha.length ? alpha[index] : 255;
  }
  return { width, height, channels, data };
}
