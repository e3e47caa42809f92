import type * as tf from '@tensorflow/tfjs-core';
import type { Context } from 'hono';
import { type Image, type ImageInput, imageToInput } from '../../sdk/serve';
import type { AppEnv } from '../bindings';
import { readBody } from '../body';
import { decodeImageBody, imageHeader } from './image-body';
import type { ImageLimits } from './limits';

/** The request's image, decoded after its header passed the limits for a `[channels, H, W]` tensor. */
export async function readImage(
  c: Context<AppEnv>,
  channels: number,
  limits: ImageLimits,
  check?: (height: number, width: number) => void,
): Promise<Image> {
  const bytes = await readBody(c);
  const info = imageHeader(bytes, channels, limits);
  check?.(info.height, info.width); // output size and cost, before decoding
  await c.var.giveWay();
  const image = decodeImageBody(bytes, info);
  await c.var.giveWay();
  return image;
}

/** The request's image as the `[C, H, W]` input of a model that states its size (imageToInput), after its header
 *  passed the limits. */
export async function preparedImage(c: Context<AppEnv>, input: ImageInput, limits: ImageLimits): Promise<tf.Tensor3D> {
  const bytes = await readBody(c);
  imageHeader(bytes, input.channels ?? 4, limits);
  await c.var.giveWay();
  return imageToInput(bytes, input, { maxPixels: limits.maxImagePixels });
}
