// Image request bodies in, feature-map PNGs out, with the SDK's codec and renderer.
import type * as tf from '@tensorflow/tfjs-core';
import { decodeImage, type Image, imageInfo, type ImageInfo, renderFeatureMaps } from '../../sdk/serve';
import { checkImageSize, type ImageLimits } from './limits';

/**
 * The format and size of an image body, from its header alone (the bytes' signature decides between PNG and JPEG,
 * not the Content-Type), checked against the limits for the `[channels, H, W]` tensor the route will make of it:
 * 413 image_too_large; ImageError unsupported_image (415) for other formats, corrupt_image (422) for a bad header.
 */
export function imageHeader(bytes: Uint8Array, channels: number, limits: ImageLimits): ImageInfo {
  const info = imageInfo(bytes);
  checkImageSize(info, channels, limits);
  return info;
}

/** Decodes bytes whose header `imageHeader` accepted; ImageError corrupt_image (422) for damaged data. */
export function decodeImageBody(bytes: Uint8Array, { width, height }: ImageInfo): Image {
  return decodeImage(bytes, { maxPixels: width * height });
}

/** `maps` (`[1, C, H, W]` or `[C, H, W]`) as one picture: a grid of labelled, min-max scaled tiles (renderFeatureMaps). */
export function featureMapPicture(maps: tf.Tensor, labels?: readonly string[]): Image {
  const count = maps.shape[maps.rank - 3];
  return renderFeatureMaps(maps, labels?.length === count ? { labels } : {});
}

/** The response headers of a feature-map PNG; X-Output-Shape is the tensor's shape, comma-separated. */
export function pngHeaders(shape: readonly number[]): Record<string, string> {
  return { 'Content-Type': 'image/png', 'X-Output-Shape': shape.join(',') };
}
