/// <reference path="./jpeg-js-decoder.d.ts" />
import decodeWithJpegJs from 'jpeg-js/lib/decoder.js';
import { LITTLE_ENDIAN } from '../endian';
import { ImageError } from '../errors';
import type { Image } from './image';
import { decodeJpegRgba } from './mozjpeg';

/** The frame header (SOFn) of a JPEG: size and number of colour components. */
interface JpegFrame {
  width: number;
  height: number;
  components: number;
}

/** SOF0 baseline, SOF1 extended sequential and SOF2 progressive, all Huffman-coded: what both decoders take. */
const DECODABLE = new Set([0xc0, 0xc1, 0xc2]);

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Walks the marker segments from the start of the file to the frame header, without touching the entropy-coded
 * data, so an image's size is known before it is decoded.
 */
export function jpegFrame(bytes: Uint8Array): JpegFrame {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new ImageError('corrupt_image', `JPEG marker expected at byte ${offset}`);
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a segment
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (isFrameHeader(marker)) return readFrame(bytes, offset, marker);
    if (length < 2) throw new ImageError('corrupt_image', `JPEG segment at byte ${offset} has length ${length}`);
    offset += 2 + length;
  }
  throw new ImageError('corrupt_image', 'JPEG data ends before its frame header (SOF)');
}

/**
 * Decodes a baseline or progressive JPEG into RGB, or grey (1 channel) when the file has a single component.
 * libjpeg (WebAssembly, mozjpeg.ts) decodes every file but CMYK and YCCK ones (4 components), which it cannot turn
 * into RGB; jpeg-js converts those. Both decoders take their size from the frame header that `frame` was read from
 * (already checked against the caller's maxPixels) and refuse a second one before allocating for it: libjpeg stops
 * at "two SOF markers", jpeg-js at the resolution and memory limits set below from the frame.
 */
export function decodeJpeg(bytes: Uint8Array, frame: JpegFrame): Image {
  if (frame.components === 4) return decodeCmyk(bytes, frame);
  const { width, height, data: rgba } = decodeJpegRgba(bytes);
  if (width !== frame.width || height !== frame.height) {
    throw new ImageError('corrupt_image', `the JPEG decoded to ${width}×${height}, not the ${frame.width}×${frame.height} of its header`);
  }
  return frame.components === 1 ? { width, height, channels: 1, data: channel0(rgba) } : { width, height, channels: 3, data: rgb(rgba) };
}

/**
 * RGBA → RGB, dropping every fourth byte: two pixels at a time, read as four 16-bit halves and written as three,
 * then a last odd pixel byte by byte. Halves rather than 32-bit words: the first JPEG an isolate decodes runs this
 * before the JIT has compiled it, where a 32-bit value is allocated as a number and a half is not (rocket.jpg's
 * 273 280 pixels in a fresh Node process: 2.6 ms against 4.3–5.5 ms by words and 3.0 ms byte by byte; compiled,
 * 0.73 ms against 0.76 and 1.2–1.5).
 */
function rgb(rgba: Uint8ClampedArray): Uint8Array {
  const pixels = rgba.length / 4;
  const out = new Uint8Array(pixels * 3);
  const paired = LITTLE_ENDIAN && rgba.byteOffset % 2 === 0 ? pixels - (pixels % 2) : 0;
  const source = new Uint16Array(rgba.buffer, rgba.byteOffset, paired * 2);
  const target = new Uint16Array(out.buffer, 0, (paired * 3) / 2);
  for (let i = 0, j = 0; i < paired * 2; i += 4, j += 3) {
    // Little-endian halves: R | G << 8, then B | A << 8, for each pixel.
    const second = source[i + 2]; // the second pixel's R | G << 8
    target[j] = source[i];
    target[j + 1] = (source[i + 1] & 0xff) | ((second & 0xff) << 8);
    target[j + 2] = (second >> 8) | ((source[i + 3] & 0xff) << 8);
  }
  for (let p = paired; p < pixels; p++) {
    out[3 * p] = rgba[4 * p];
    out[3 * p + 1] = rgba[4 * p + 1];
    out[3 * p + 2] = rgba[4 * p + 2];
  }
  return out;
}

/** The first of every four bytes (a grey file's sample: libjpeg repeats it in R, G and B). */
function channel0(rgba: Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i];
  return out;
}

/** A CMYK or YCCK (Adobe) JPEG converted to RGB by jpeg-js, which libjpeg cannot do. */
function decodeCmyk(bytes: Uint8Array, frame: JpegFrame): Image {
  const { width, height, data } = decodeWithJpegJs(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    // Half a pixel over, so that jpeg-js's `MP × 10⁶` cannot round below the frame's own pixel count.
    maxResolutionInMP: (frame.width * frame.height + 0.5) / 1e6,
    maxMemoryUsageInMB: memoryLimitInMB(frame),
  });
  return { width, height, channels: 3, data };
}

/**
 * What jpeg-js counts, per pixel at worst (4 components, no subsampling): coefficients as Int32 (16 bytes), component
 * lines (4), the component samples (4) and the RGB output (3), i.e. 27 bytes; 32 per pixel of the frame padded to
 * whole MCUs (at most 8 × 15 samples, the largest sampling factor), and 1 MiB for the tables.
 */
function memoryLimitInMB({ width, height }: JpegFrame): number {
  return Math.ceil((32 * (width + 120) * (height + 120)) / 2 ** 20) + 1;
}

function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readFrame(bytes: Uint8Array, offset: number, marker: number): JpegFrame {
  if (offset + 10 > bytes.length) throw new ImageError('corrupt_image', 'JPEG frame header is truncated');
  const precision = bytes[offset + 4];
  const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
  const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
  const components = bytes[offset + 9];
  if (!DECODABLE.has(marker) || precision !== 8) {
    throw new ImageError(
      'unsupported_image',
      `only 8-bit baseline and progressive JPEGs are supported, not SOF${marker - 0xc0} with ${precision}-bit samples`,
    );
  }
  if (width === 0 || height === 0 || ![1, 3, 4].includes(components)) {
    throw new ImageError('corrupt_image', `JPEG frame header gives ${width}×${height} with ${components} components`);
  }
  return { width, height, components };
}
