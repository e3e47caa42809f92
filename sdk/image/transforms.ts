/**
 * Image transforms with torchvision.transforms' names and semantics, as functions: `toTensor()` turns a decoded
 * image into a `[C, H, W]` float tensor, the others take and return `[C, H, W]` or `[N, C, H, W]` float tensors
 * (torchvision's tensor transforms). Each returns a new tensor the caller owns and leaves its input alone, so a
 * composition can be written without tidy. Random ones (randomCrop, randomShift) live in augment.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Image } from './image';
import { toTensor as imageToTensor, type ToTensorOptions } from './layout';

export { randomCrop, randomShift, type RandomCropOptions, type RandomShiftOptions } from './augment';

/** A tensor transform: `[C, H, W]` or `[N, C, H, W]` in, a new tensor out. */
export type Transform = (x: tf.Tensor) => tf.Tensor;

/**
 * torchvision.transforms.ToTensor: HWC bytes → `[C, H, W]` float32 in [0, 1] (samples / 255). `channels` converts
 * to grey (luma) or RGB first, as PIL's convert('L') / convert('RGB') before ToTensor.
 */
export function toTensor(options: Pick<ToTensorOptions, 'channels'> = {}): (image: Image) => tf.Tensor3D {
  return (image) => imageToTensor(image, options);
}

/**
 * torchvision.transforms.Normalize(mean, std): `(x[c] − mean[c]) / std[c]` for each channel c. One value applies to
 * every channel; otherwise there must be one per channel. Throws ArgumentError for a std of 0 or a channel count
 * that does not match.
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const means = typeof mean === 'number' ? [mean] : [...mean];
  const stds = typeof std === 'number' ? [std] : [...std];
  if (stds.some((s) => !(s !== 0 && Number.isFinite(s))) || !means.every(Number.isFinite)) {
    throw new ArgumentError(`normalize needs finite means and non-zero finite stds, got ${means} and ${stds}`);
  }
  return (x) => {
    const channels = channelCount(x, 'normalize');
    const perChannel = (values: number[], name: string) => {
      if (values.length !== 1 && values.length !== channels) {
        throw new ArgumentError(`normalize: ${values.length} ${name} values for a tensor of ${channels} channels`);
      }
      // [C, 1, 1] broadcasts over [C, H, W] and over [N, C, H, W] alike.
      return tf.tensor3d(values.length === 1 ? Array(channels).fill(values[0]) : values, [channels, 1, 1]);
    };
    return tf.tidy(() => tf.div(tf.sub(x, perChannel(means, 'mean')), perChannel(stds, 'std')));
  };
}

/**
 * torchvision.transforms.Compose: applies the transforms in order. The first may be toTensor() (an Image in); the
 * intermediate tensors are disposed, the input is not.
 */
export function compose<In extends Image | tf.Tensor>(
  transforms: readonly [((x: In) => tf.Tensor), ...Transform[]],
): (x: In) => tf.Tensor {
  const [first, ...rest] = transforms;
  return (x) => {
    let current = first(x);
    for (const transform of rest) {
      const next = transform(current);
      // An intermediate result is ours to free; the caller's input, or a transform's pass-through of it, is not.
      if (next !== current && current !== (x as unknown)) current.dispose();
      current = next;
    }
    return current;
  };
}

/** C of a `[C, H, W]` or `[N, C, H, W]` tensor; ArgumentError for another rank. */
export function channelCount(x: tf.Tensor, name: string): number {
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ArgumentError(`${name} expects a [C, H, W] or [N, C, H, W] tensor, got shape [${x.shape}]`);
  }
  return x.shape[x.rank - 3];
}
