import type { Image } from './image';
import { SIGNATURE } from './png';
import { crc32 } from '../crc32';
import { zlibRle } from './deflate';

/** PNG colour type by channel count: grey, grey + alpha, RGB, RGBA. */
const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
/** A chunk's length, type and CRC around its data. */
const CHUNK_FRAME = 12;

/**
 * Encodes an 8-bit image as a PNG: IHDR, one IDAT, IEND. The rows are filtered with Up (each byte minus the one
 * above it; the first row unfiltered) and deflated as runs and literals (zlibRle): Up turns smooth regions into runs
 * of small values, so a match search adds little. On the feature maps of a 640×427 photo that gives files 10–15 %
 * smaller than fflate's level 1 in under a third of its time (Sub, Paeth or a per-row choice: no smaller, and
 * slower to filter).
 */
export function writePng(image: Image): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, image.width);
  view.setUint32(4, image.height);
  header.set([8, COLOUR_TYPE[image.channels], 0, 0, 0], 8); // depth 8, colour type, deflate, adaptive filters, no interlace
  const idat = zlibRle(upFiltered(image));
  const png = new Uint8Array(SIGNATURE.length + 3 * CHUNK_FRAME + header.length + idat.length);
  png.set(SIGNATURE);
  let at = writeChunk(png, SIGNATURE.length, 'IHDR', header);
  at = writeChunk(png, at, 'IDAT', idat);
  writeChunk(png, at, 'IEND', new Uint8Array(0));
  return png;
}

/**
 * Each row behind its filter type byte: the first as it is (None), the others Up-filtered. Four bytes at a time,
 * subtracted bytewise within 32-bit words (no borrow across bytes: the top bits are set aside and put back by xor):
 * for a 646×500 grey map 0.19 ms against 0.50 ms byte by byte (2-core AMD EPYC, Node 20.20.2), in the Worker 0.32 ms
 * against 0.77 ms.
 */
function upFiltered({ width, height, channels, data }: Image): Uint8Array {
  const row = width * channels;
  const stride = row + 1;
  const filtered = new Uint8Array(height * stride);
  filtered.set(data.subarray(0, row), 1);
  const source = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const target = new DataView(filtered.buffer);
  for (let y = 1; y < height; y++) {
    const out = y * stride + 1;
    const at = y * row;
    filtered[out - 1] = 2; // Up
    let i = 0;
    for (; i + 4 <= row; i += 4) {
      // Two declarations, not one destructured from an array: workerd's V8 then built the array every step, and the
      // filter took 5.2 ms rather than 0.32 ms (CPU profile of the Worker).
      const below = source.getInt32(at + i, true);
      const above = source.getInt32(at - row + i, true);
      const difference = (((below | 0x80808080) - (above & 0x7f7f7f7f)) | 0) ^ ((below ^ ~above) & 0x80808080);
      target.setInt32(out + i, difference, true);
    }
    for (; i < row; i++) filtered[out + i] = data[at + i] - data[at - row + i];
  }
  return filtered;
}

/** Writes a chunk at `at`: length, type, `body`, and the CRC-32 of type and body; returns where the next one starts. */
function writeChunk(png: Uint8Array, at: number, type: string, body: Uint8Array): number {
  const view = new DataView(png.buffer, png.byteOffset);
  view.setUint32(at, body.length);
  for (let i = 0; i < 4; i++) png[at + 4 + i] = type.charCodeAt(i);
  png.set(body, at + 8);
  view.setUint32(at + 8 + body.length, crc32(png.subarray(at + 4, at + 8 + body.length)));
  return at + CHUNK_FRAME + body.length;
}
