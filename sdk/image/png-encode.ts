import type { Image } from './image';
import { SIGNATURE } from './png';
import { crc32 } from '../crc32';
import { zlibRle } from './deflate';

/** PNG colour type by channel count: grey, grey + alpha, RGB, RGBA. */
const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/**
 * Encodes an 8-bit image as a PNG: IHDR, one IDAT, IEND. The rows are filtered with Up (each byte minus the one
 * above it; the first row unfiltered) and deflated as runs and literals (zlibRle): Up turns smooth regions into runs
 * of small values, so a match search adds little. On the feature maps of a 640×427 photo that gives files 10–15 %
 * smaller than fflate's level 1 in a third to a half of its time (Sub, Paeth or a per-row choice: no smaller, and
 * slower to filter).
 */
export function writePng({ width, height, channels, data }: Image): Uint8Array {
  const row = width * channels;
  const stride = row + 1;
  const filtered = new Uint8Array(height * stride);
  filtered.set(data.subarray(0, row), 1); // filter type 0 (None) for the first row
  for (let y = 1; y < height; y++) {
    const out = y * stride + 1;
    const at = y * row;
    filtered[out - 1] = 2; // Up
    for (let i = 0; i < row; i++) filtered[out + i] = data[at + i] - data[at - row + i];
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, COLOUR_TYPE[channels], 0, 0, 0], 8); // depth 8, colour type, deflate, adaptive filters, no interlace
  return concat([Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibRle(filtered)), chunk('IEND', new Uint8Array(0))]);
}

/** A chunk: length, type, data, and the CRC-32 of type and data. */
function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
