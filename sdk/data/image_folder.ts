/** Node-only (node:fs): images read from a folder tree. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ImageError } from '../errors';
import { decodeImage } from '../image/codec';
import type { Image } from '../image/image';
import { toTensor } from '../image/layout';
import { ImageDataset, type ImageDatasetOptions } from './image_dataset';

export interface ImageFolderOptions extends Pick<ImageDatasetOptions, 'augment'> {
  /**
   * Turns each decoded image into its `[C, H, W]` tensor, once, when the folder is read; every image must come out
   * the same shape. Default: toTensor (its own channels, values in [0, 1]); e.g.
   * `transforms.compose([transforms.toTensor({ channels: 1 }), transforms.normalize(0.5, 0.5)])`.
   */
  transform?: (image: Image) => tf.Tensor;
  /** File name endings taken as images, compared case-insensitively. Default .png, .jpg, .jpeg. */
  extensions?: readonly string[];
  /** Passed to decodeImage: refuse larger images. */
  maxPixels?: number;
}

/**
 * torchvision.datasets.ImageFolder: `root/<class>/**\/<image>` with one subfolder per class. `classes` are the
 * subfolders' names sorted by code point, `classToIdx` maps each to its index, and `samples` lists
 * [path, class index] for every image file under a class folder (at any depth, following sorted names), in that
 * order, which is also the order of the rows of x and y. Files with other endings are skipped.
 *
 * Unlike torchvision, images are decoded and transformed once, when the folder is read, into one `[N, C, H, W]`
 * tensor (small image sets fit in memory, and a DataLoader then only gathers rows); `augment` runs at every read.
 * Throws ArgumentError for a root without class folders, a class folder without images, or images that come out
 * of `transform` in different shapes; ImageError (with the file in `details.file`) for a file that cannot be
 * decoded.
 */
export class ImageFolder extends ImageDataset {
  readonly classToIdx: Readonly<Record<string, number>>;

  private constructor(
    x: tf.Tensor4D,
    y: tf.Tensor1D,
    classes: readonly string[],
    readonly samples: readonly (readonly [string, number])[],
    options: ImageFolderOptions,
  ) {
    super(x, y, { classes, augment: options.augment });
    this.classToIdx = Object.fromEntries(classes.map((name, index) => [name, index]));
  }

  static async read(root: string, options: ImageFolderOptions = {}): Promise<ImageFolder> {
    const extensions = (options.extensions ?? ['.png', '.jpg', '.jpeg']).map((e) => e.toLowerCase());
    const classes = await classFolders(root);
    const samples: [string, number][] = [];
    for (const [index, name] of classes.entries()) {
      const files = (await filesUnder(path.join(root, name))).filter((file) =>
        extensions.some((extension) => file.toLowerCase().endsWith(extension)),
      );
      if (files.length === 0) {
        throw new ArgumentError(`class folder ${path.join(root, name)} holds no ${extensions.join('/')} files`);
      }
      samples.push(...files.map((file): [string, number] => [file, index]));
    }
    const x = await stackImages(samples.map(([file]) => file), options);
    const y = tf.tensor1d(Int32Array.from(samples, ([, index]) => index), 'int32');
    return new ImageFolder(x, y, classes, samples, options);
  }
}

async function classFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new ArgumentError(`cannot read the image folder ${root}: ${(error as Error).message}`, { root });
  }
  const classes = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  if (classes.length === 0) throw new ArgumentError(`${root} has no class subfolders (one folder per class)`, { root });
  return classes;
}

/** Every file under `dir`, depth first in sorted name order, as os.walk with sorted names does. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** The files decoded and transformed, stacked as `[N, C, H, W]`. */
async function stackImages(files: readonly string[], { transform, maxPixels }: ImageFolderOptions): Promise<tf.Tensor4D> {
  let shape: number[] | undefined;
  let values: Float32Array | undefined;
  for (const [i, file] of files.entries()) {
    let image: Image;
    try {
      image = decodeImage(new Uint8Array(await readFile(file)), { maxPixels });
    } catch (error) {
      if (error instanceof ImageError) throw new ImageError(error.code as never, `${file}: ${error.message}`, { file });
      throw error;
    }
    const tensor = transform ? transform(image) : toTensor(image);
    try {
      if (tensor.rank !== 3 || (shape && String(tensor.shape) !== String(shape))) {
        throw new ArgumentError(
          `${file} becomes a [${tensor.shape}] tensor, but ${shape ? `${files[0]} became [${shape}]` : 'a [C, H, W] one is needed'}; ` +
            'give the images one size, or a transform that makes them one',
          { file },
        );
      }
      shape ??= tensor.shape;
      values ??= new Float32Array(files.length * tensor.size);
      values.set(tensor.dataSync(), i * tensor.size);
    } finally {
      tensor.dispose();
    }
  }
  return tf.tensor4d(values!, [files.length, ...(shape as [number, number, number])]);
}
