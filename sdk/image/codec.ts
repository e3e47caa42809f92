import { checkImage, type Image } from './image';
import { EdgeMLError, ImageError } from '../errors';
import { decodeJpeg, isJpeg, jpegFrame } from './jpeg';
import { decodePng, isPng, pngSize } from './png';
import { writePng } from './png-encode';

export { initJpegDecoder, JPEG_DECODER_WASM } from './mozjpeg';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (ImageError 'image_too_large') before decoding. Default 4096². */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/**
 * The format and size of PNG or JPEG bytes, read from the header alone (PNG's IHDR, JPEG's SOFn segment), so a
 * caller can refuse a huge image before paying to decode it. Throws ImageError: 'unsupported_image' for other
 * formats, 'corrupt_image' for a header that is missing or cut short.
 */
export function imageInfo(bytes: Uint8Array): ImageInfo {
  if (isPng(bytes)) return { format: 'png', ...pngSize(bytes) };
  if (isJpeg(bytes)) {
    const { width, height } = jpegFrame(bytes);
    return { format: 'jpeg', width, height };
  }
  throw new ImageError('unsupported_image', 'not a PNG or JPEG image (unrecognised signature)');
}

/**
 * Decodes PNG or JPEG bytes to 8-bit HWC samples. PNG: every colour type, bit depth and interlacing; palettes expand
 * to RGB(A), 16-bit samples keep their high byte, 1/2/4-bit grey stretches to 0–255. JPEG: baseline and progressive,
 * RGB (3 channels) or greyscale (1 channel), by libjpeg compiled to WebAssembly (see initJpegDecoder; CMYK files
 * are converted to RGB by jpeg-js). Every failure of the data is an ImageError ('unsupported_image',
 * 'corrupt_image' or 'image_too_large'); the only other error is an EdgeMLError 'codec_unavailable' when the JPEG
 * decoder has no WebAssembly module (outside Node, until initJpegDecoder is called).
 */
export function decodeImage(bytes: Uint8Array, { maxPixels = DEFAULT_MAX_PIXELS }: DecodeOptions = {}): Image {
  const info = imageInfo(bytes);
  if (info.width * info.height > maxPixels) {
    throw new ImageError(
      'image_too_large',
      `${info.width}×${info.height} is ${info.width * info.height} pixels; at most ${maxPixels} are accepted`,
      { width: info.width, height: info.height, maxPixels },
    );
  }
  try {
    return info.format === 'png' ? decodePng(bytes) : decodeJpeg(bytes, jpegFrame(bytes));
  } catch (error) {
    if (error instanceof EdgeMLError) throw error; // ImageError, or the decoder could not start
    const reason = error instanceof Error ? error.message : String(error);
    const code = /limit exceeded/.test(reason) ? 'image_too_large' : 'corrupt_image';
    throw new ImageError(code, `the ${info.format.toUpperCase()} data could not be decoded: ${reason}`, { reason });
  }
}

/** An 8-bit PNG of the image (grey, grey + alpha, RGB or RGBA by its channel count). Lossless: decodeImage gives the
 *  same samples back. */
export function encodePng(image: Image): Uint8Array {
  checkImage(image);
  return writePng(image);
}
