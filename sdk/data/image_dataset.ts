import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Transform } from '../image/transforms';
import { TensorDataset, type Example } from './tensor_dataset';

export interface ImageDatasetOptions {
  /**
   * Applied every time samples are read — by a DataLoader to each batch (so by train.fit), and by get() — as a
   * torchvision dataset applies its `transform` in __getitem__: the place for seeded random augmentation
   * (image.transforms.randomShift / randomCrop), which then differs from epoch to epoch. `x` itself, which evaluate
   * and model.forward(dataset.x) read, stays as stored: put deterministic preprocessing (normalize) into the
   * stored tensors instead.
   */
  augment?: Transform;
  /** Class names by index, as torchvision's `classes`. Default: "0" … "K−1" for labels up to K−1. */
  classes?: readonly string[];
}

/**
 * Images `[N, C, H, W]` (float32) with `[N]` int32 class indices: a TensorDataset, so DataLoader, train.fit and
 * train.evaluate take it, with class names and an optional per-read augmentation.
 */
export class ImageDataset extends TensorDataset {
  readonly augment: Transform | undefined;
  /** Class names by index. */
  readonly classes: readonly string[];

  /** Throws ArgumentError unless x is `[N, C, H, W]` and y `[N]` int32 class indices within `classes`. */
  constructor(x: tf.Tensor4D, y: tf.Tensor1D, { augment, classes }: ImageDatasetOptions = {}) {
    super(x, y);
    if (x.rank !== 4 || y.rank !== 1 || y.dtype !== 'int32') {
      throw new ArgumentError(
        `an ImageDataset holds [N, C, H, W] images and [N] int32 labels, got [${x.shape}] and [${y.shape}] ${y.dtype}`,
      );
    }
    const labels = Array.from(y.dataSync());
    const largest = labels.reduce((max, label) => Math.max(max, label), -1);
    this.classes = classes ? [...classes] : Array.from({ length: largest + 1 }, (_, i) => String(i));
    const bad = labels.findIndex((label) => label < 0 || label >= this.classes.length);
    if (bad >= 0) {
      throw new ArgumentError(`label ${labels[bad]} at sample ${bad} names none of the ${this.classes.length} classes`);
    }
    this.augment = augment;
  }

  /**
   * From plain arrays: `images[i]` holds sample i's C·H·W values in CHW order (for one channel, row-major pixels
   * such as MNIST's 784), `labels[i]` its class index. Throws ArgumentError when an image has the wrong length.
   */
  static fromArrays(
    images: readonly ArrayLike<number>[],
    labels: ArrayLike<number>,
    shape: readonly [number, number, number],
    options?: ImageDatasetOptions,
  ): ImageDataset {
    const size = shape[0] * shape[1] * shape[2];
    const x = new Float32Array(images.length * size);
    images.forEach((image, i) => {
      if (image.length !== size) {
        throw new ArgumentError(`image ${i} has ${image.length} values; [${shape}] needs ${size}`, { index: i });
      }
      x.set(image, i * size);
    });
    if (labels.length !== images.length) {
      throw new ArgumentError(`${images.length} images but ${labels.length} labels`);
    }
    return new ImageDataset(
      tf.tensor4d(x, [images.length, ...shape]),
      tf.tensor1d(Int32Array.from(labels), 'int32'),
      options,
    );
  }

  /** {@link TensorDataset.get}, with `augment` applied to the image. */
  override get(index: number): Example {
    const sample = super.get(index);
    return { x: augmented(this, sample.x), y: sample.y };
  }
}

/** `x` through the dataset's augmentation when it has one (the input is then disposed), else `x` itself. */
export function augmented(dataset: TensorDataset, x: tf.Tensor): tf.Tensor {
  if (!(dataset instanceof ImageDataset) || !dataset.augment) return x;
  const out = dataset.augment(x);
  if (out !== x) x.dispose();
  return out;
}
