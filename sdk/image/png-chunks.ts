import { ImageError } from '../errors';
import { crc32 } from '../crc32';

/** The IHDR fields the decoder needs. `colourType`: 0 grey, 2 RGB, 3 indexed, 4 grey + alpha, 6 RGBA. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
}

/** What a PNG's chunks hold for decoding: everything else (text, ICC profiles, gamma, …) is skipped unread. */
export interface PngChunks {
  header: PngHeader;
  /** PLTE as RGB triples; only indexed images use it. */
  palette?: Uint8Array;
  /** tRNS of an indexed image: the alpha of the first palette entries. */
  paletteAlpha?: Uint8Array;
  /** The IDAT chunks' data, which together make one zlib stream. */
  data: Uint8Array[];
}

/** Bit depths the PNG specification allows per colour type. */
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

const corrupt = (message: string) => new ImageError('corrupt_image', `PNG data ${message}`);

/**
 * Walks the chunks from IHDR to IEND, checking each one's length and CRC. Compressed ancillary chunks (iCCP, zTXt,
 * iTXt) are skipped, never inflated, so only the image data can cost inflating, and inflateExactly bounds that.
 */
export function readPngChunks(bytes: Uint8Array): PngChunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let palette: Uint8Array | undefined;
  let paletteAlpha: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  for (let offset = 8; ; ) {
    if (offset + 12 > bytes.length) throw corrupt(`ends at byte ${bytes.length} before its IEND chunk (truncated?)`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 8 + length;
    if (end + 4 > bytes.length) throw corrupt(`chunk ${type} at byte ${offset} runs past the end of the data (truncated?)`);
    if (crc32(bytes.subarray(offset + 4, end)) !== view.getUint32(end)) {
      throw corrupt(`chunk ${type} at byte ${offset} fails its CRC check (damaged data)`);
    }
    const body = bytes.subarray(offset + 8, end);
    if (!header && type !== 'IHDR') throw corrupt(`starts with chunk ${type}, not IHDR`);
    if (type === 'IHDR') header ??= readHeader(body);
    else if (type === 'PLTE') palette = readPalette(body);
    else if (type === 'tRNS' && header!.colourType === 3) paletteAlpha = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    offset = end + 4;
  }
  if (data.length === 0) throw corrupt('has no IDAT chunk (no image data)');
  if (header!.colourType === 3) {
    if (!palette) throw corrupt('is an indexed-colour image without a PLTE chunk');
    if (paletteAlpha && paletteAlpha.length > palette.length / 3) {
      throw corrupt(`has ${paletteAlpha.length} tRNS alpha values for ${palette.length / 3} palette entries`);
    }
  }
  return { header: header!, palette, paletteAlpha, data };
}

function readHeader(body: Uint8Array): PngHeader {
  if (body.length !== 13) throw corrupt(`has an IHDR chunk of ${body.length} bytes, not 13`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [depth, colourType, compression, filter, interlace] = body.subarray(8);
  if (width === 0 || height === 0) throw corrupt(`header gives a size of ${width}×${height}`);
  if (!DEPTHS[colourType]?.includes(depth)) throw corrupt(`header gives colour type ${colourType} with ${depth}-bit samples`);
  if (compression !== 0 || filter !== 0 || interlace > 1) {
    throw corrupt(`header gives compression ${compression}, filter method ${filter}, interlace ${interlace}`);
  }
  return { width, height, depth, colourType, interlaced: interlace === 1 };
}

function readPalette(body: Uint8Array): Uint8Array {
  if (body.length === 0 || body.length % 3 !== 0 || body.length > 256 * 3) {
    throw corrupt(`has a PLTE chunk of ${body.length} bytes (1–256 RGB entries expected)`);
  }
  return body;
}
