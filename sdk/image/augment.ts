/**
 * Seeded random transforms for augmentation, as torchvision's RandomCrop and a pixel-step RandomAffine translate.
 * On a batch `[N, C, H, W]` every image draws its own offsets, as when the transform runs per sample in a dataset
 * (torchvision's tensor transforms would draw once per call). The offsets come from `seed`'s own generator, or from
 * the global one (manualSeed) without a seed, so a run is reproducible either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { defaultGenerator, Generator } from '../random';
import type { Transform } from './transforms';

export interface RandomCropOptions {
  /** Zero-or-more pixels added around each image before cropping: one number for every side, [left/right,
   *  top/bottom], or [left, top, right, bottom] (torchvision's order). Default 0. */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  /** The value of the padded pixels (padding_mode 'constant'). Default 0. */
  fill?: number;
  seed?: number;
}

/**
 * torchvision.transforms.RandomCrop(size, padding, fill): pads each image, then cuts a `size` window (one number
 * for a square, or [height, width]) at a uniformly drawn position: top row i ∈ [0, H' − h], then left column
 * j ∈ [0, W' − w] of the padded H'×W' image. Throws ArgumentError when the window is larger than the padded image.
 */
export function randomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform {
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  const [left, top, right, bottom] = paddingSides(options.padding ?? 0);
  const fill = options.fill ?? 0;
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new ArgumentError(`randomCrop: size must be positive integers, got ${size}`);
  }
  const generator = options.seed === undefined ? undefined : new Generator(options.seed);
  return (x) => crop(x, [height, width], [left, top, right, bottom], fill, generator ?? defaultGenerator());
}

export interface RandomShiftOptions {
  /** The value of the pixels shifted in. Default 0. */
  fill?: number;
  seed?: number;
}

/**
 * Moves each image by whole pixels, dx and dy each drawn uniformly from −maxShift…maxShift, filling what is shifted
 * in with `fill`: randomCrop to the image's own size with `maxShift` padding on every side, which is also
 * torchvision's RandomAffine(degrees=0, translate) with the translation in pixels.
 */
export function randomShift(maxShift: number, options: RandomShiftOptions = {}): Transform {
  if (!(Number.isInteger(maxShift) && maxShift >= 0)) {
    throw new ArgumentError(`randomShift: maxShift must be a non-negative integer, got ${maxShift}`);
  }
  const generator = options.seed === undefined ? undefined : new Generator(options.seed);
  const sides: [number, number, number, number] = [maxShift, maxShift, maxShift, maxShift];
  return (x) => crop(x, x.shape.slice(-2) as [number, number], sides, options.fill ?? 0, generator ?? defaultGenerator());
}

/** Pads `x` by `sides` [left, top, right, bottom] with `fill` and cuts a `size` window at a position drawn from
 *  `random`, per image. */
function crop(
  x: tf.Tensor,
  [height, width]: [number, number],
  [left, top, right, bottom]: [number, number, number, number],
  fill: number,
  random: Generator,
): tf.Tensor {
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ArgumentError(`randomCrop expects a [C, H, W] or [N, C, H, W] tensor, got shape [${x.shape}]`);
  }
  const [images, channels, inHeight, inWidth] = x.rank === 3 ? [1, ...x.shape] : x.shape;
  const [paddedHeight, paddedWidth] = [inHeight + top + bottom, inWidth + left + right];
  if (height > paddedHeight || width > paddedWidth) {
    throw new ArgumentError(
      `randomCrop: the ${height}×${width} window is larger than the padded ${paddedHeight}×${paddedWidth} image`,
    );
  }
  const source = x.dataSync();
  const out = new Float32Array(images * channels * height * width).fill(fill);
  for (let n = 0; n < images; n++) {
    const i = Math.floor(random.next() * (paddedHeight - height + 1)) - top;
    const j = Math.floor(random.next() * (paddedWidth - width + 1)) - left;
    // Only the part of the window that falls inside the unpadded image is copied; the rest stays fill.
    const [firstRow, lastRow] = [Math.max(0, -i), Math.min(height, inHeight - i)];
    const [firstColumn, lastColumn] = [Math.max(0, -j), Math.min(width, inWidth - j)];
    for (let c = 0; c < channels; c++) {
      const plane = (n * channels + c) * inHeight;
      const target = (n * channels + c) * height;
      for (let r = firstRow; r < lastRow; r++) {
        const from = (plane + r + i) * inWidth + j;
        out.set(source.subarray(from + firstColumn, from + lastColumn), (target + r) * width + firstColumn);
      }
    }
  }
  return tf.tensor(out, x.rank === 3 ? [channels, height, width] : [images, channels, height, width]);
}

function paddingSides(padding: NonNullable<RandomCropOptions['padding']>): [number, number, number, number] {
  const sides: number[] =
    typeof padding === 'number'
      ? [padding, padding, padding, padding]
      : padding.length === 2
        ? [padding[0], padding[1], padding[0], padding[1]]
        : [...padding];
  if (sides.length !== 4 || !sides.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ArgumentError(`randomCrop: padding must be non-negative integers (1, 2 or 4 of them), got ${padding}`);
  }
  return sides as [number, number, number, number];
}
