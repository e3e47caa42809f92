import type * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import { decodeImage, type DecodeOptions } from '../image/codec';
import { toTensor } from '../image/layout';
import { preprocessMnist } from '../image/mnist';
import { imageShape, type ImageInput } from './input';

/**
 * An image file (PNG or JPEG bytes) as the `[C, H, W]` input of a model taking `input` (a traced bundle's
 * `manifest.input`, or `bundle.input`), prepared as its `preprocessing` says:
 * - 'mnist': MNIST's own preparation (image.preprocessMnist: grey, bright ink, cropped, 20×20, centred by mass in
 *   28×28), for any size and either polarity;
 * - 'none': values 0–1 (image.toTensor) converted to the model's 1 or 3 channels; the image must have the model's
 *   height and width already.
 * The same code runs in Node and in the Worker, so both give the same answer for the same bytes. Throws ImageError
 * for bytes that are not a readable image (or more than `options.maxPixels` pixels) and InputError for an image the
 * model cannot take (a blank or noisy digit, a wrong size). The caller disposes the tensor.
 */
export function imageToInput(bytes: Uint8Array, input: ImageInput, options: DecodeOptions = {}): tf.Tensor3D {
  const shape = imageShape(input);
  if (shape === undefined) throw new InputError('the model does not state the image size it takes, so it cannot read image files');
  const image = decodeImage(bytes, options);
  if (input.preprocessing === 'mnist') return preprocessMnist(image);
  const [channels, height, width] = shape;
  if (image.height !== height || image.width !== width) {
    throw new InputError(`the model takes ${width}×${height} images, got ${image.width}×${image.height}`, {
      field: 'image',
      expected: [height, width],
      got: [image.height, image.width],
    });
  }
  if (channels !== 1 && channels !== 3 && channels !== image.channels) {
    throw new InputError(`the model takes ${channels}-channel images, got ${image.channels} channels`, { field: 'image' });
  }
  return toTensor(image, { channels: channels === 1 || channels === 3 ? channels : undefined });
}
