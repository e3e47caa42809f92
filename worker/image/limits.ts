// The size limits of the image routes (/v1/image/*, /v1/models/{name}/transform), and the checks that apply them
// before anything large is allocated or computed. The output sizes come from the SDK's own rules (F.outputSize,
// resolveConv2dOptions, resolvePool2dOptions): nothing here re-derives the maths.
import { resolveConv2dOptions, type Conv2dOptions } from '../../sdk/functional/conv';
import { resolvePool2dOptions, type Pool2dOptions } from '../../sdk/functional/pool';
import { outputSize } from '../../sdk/functional/window';
import type { ImageInfo } from '../../sdk/image/codec';
import { ApiError } from '../errors';

export interface ImageLimits {
  /** Largest request body (image or JSON), in bytes; chunked bodies are counted as they stream. */
  maxBodyBytes: number;
  /** Longest image side, in pixels, read from the header before decoding. */
  maxImageSide: number;
  /** Most pixels in an image, read from the header before decoding. */
  maxImagePixels: number;
  /** Most elements in any tensor: each JSON tensor (from its declared shape), the tensor an image becomes, and
   *  every output (from the output-size formula, before computing it). */
  maxTensorElements: number;
  /** Most multiply-adds one conv2d or pool request may cost (output elements × window size × input channels). */
  maxMultiplyAdds: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBodyBytes: 10 * MIB,
  maxImageSide: 4096,
  // Far below the 16 MP the header check could allow: decoding a JPEG takes ~30 bytes a pixel in jpeg-js, and an
  // isolate has 128 MB. A 2 MP image (1920×1080 fits) peaks well inside that; raise it with createApp's limits.
  maxImagePixels: 2 * MIB,
  maxTensorElements: 4 * MIB, // 2²² = 4,194,304 (a 2048×2048 grey image)
  maxMultiplyAdds: 2 ** 30,
};

/** The number of elements of a tensor of `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** 413 tensor_too_large unless a tensor of `shape` (named `field` in the request) fits the element limit. */
export function checkTensorSize(field: string, shape: readonly number[], limits: ImageLimits): void {
  const elements = elementCount(shape);
  if (elements > limits.maxTensorElements) {
    throw new ApiError(
      413,
      'tensor_too_large',
      `${field} would have ${elements} elements (shape [${shape.join(', ')}]); ` +
        `at most ${limits.maxTensorElements} are accepted`,
      { field, shape: [...shape], elements, limit: limits.maxTensorElements },
    );
  }
}

function checkWork(multiplyAdds: number, limits: ImageLimits): void {
  if (multiplyAdds > limits.maxMultiplyAdds) {
    throw new ApiError(
      413,
      'computation_too_large',
      `this request would cost ${multiplyAdds} multiply-adds; at most ${limits.maxMultiplyAdds} are accepted ` +
        '(use a smaller input, fewer channels or a larger stride)',
      { multiply_adds: multiplyAdds, limit: limits.maxMultiplyAdds },
    );
  }
}

/**
 * 413 image_too_large unless an image of this header's size fits the side and pixel limits, and the `[channels, H,
 * W]` tensor the route makes of it fits the element limit. Runs on the header alone (imageInfo), before decoding.
 */
export function checkImageSize({ width, height }: ImageInfo, channels: number, limits: ImageLimits): void {
  const pixels = width * height;
  const refuse = (why: string, limit: number) => {
    throw new ApiError(413, 'image_too_large', `the image is ${width}×${height}: ${why}`, { width, height, limit });
  };
  if (Math.max(width, height) > limits.maxImageSide) {
    refuse(`a side is over ${limits.maxImageSide} pixels`, limits.maxImageSide);
  }
  if (pixels > limits.maxImagePixels) {
    refuse(`${pixels} pixels, over the limit of ${limits.maxImagePixels}`, limits.maxImagePixels);
  }
  if (channels * pixels > limits.maxTensorElements) {
    refuse(
      `as a [${channels}, ${height}, ${width}] tensor it would have ${channels * pixels} elements, over the limit of ` +
        `${limits.maxTensorElements}`,
      limits.maxTensorElements,
    );
  }
}

/**
 * Checks the output size and cost of F.conv2d(x, weight, …, options) from the shapes alone: 413 tensor_too_large
 * or computation_too_large. Shapes or options conv2d would refuse are left for conv2d to report (an ArgumentError
 * naming the argument), except invalid options, which resolveConv2dOptions reports here.
 */
export function checkConv2d(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions,
  limits: ImageLimits,
): void {
  if ((inputShape.length !== 3 && inputShape.length !== 4) || weightShape.length !== 4) return;
  const [outChannels, inChannels, kh, kw] = weightShape;
  const { stride, dilation, padding } = resolveConv2dOptions([kh, kw], options);
  const [height, width] = inputShape.slice(-2);
  const paddedHeight = height + padding[0][0] + padding[0][1];
  const paddedWidth = width + padding[1][0] + padding[1][1];
  // Symmetric padding already added to the size: outputSize with padding 0 covers 'same''s uneven split too.
  const outHeight = outputSize(paddedHeight, kh, { stride: stride[0], dilation: dilation[0] });
  const outWidth = outputSize(paddedWidth, kw, { stride: stride[1], dilation: dilation[1] });
  if (outHeight < 1 || outWidth < 1) return; // the kernel does not fit: conv2d says so
  const outShape = [...inputShape.slice(0, -3), outChannels, outHeight, outWidth];
  checkTensorSize('output', outShape, limits);
  checkWork(elementCount(outShape) * inChannels * kh * kw, limits);
}

/** As checkConv2d, for F.maxPool2d / F.avgPool2d(x, options). */
export function checkPool2d(inputShape: readonly number[], options: Pool2dOptions, limits: ImageLimits): void {
  if (inputShape.length !== 3 && inputShape.length !== 4) return;
  const { kernelSize, stride, padding, ceilMode } = resolvePool2dOptions(options);
  const [height, width] = inputShape.slice(-2);
  const out = [0, 1].map((axis) =>
    outputSize([height, width][axis], kernelSize[axis], { stride: stride[axis], padding: padding[axis], ceilMode }),
  );
  if (out[0] < 1 || out[1] < 1) return; // the pools say why
  const outShape = [...inputShape.slice(0, -2), ...out];
  checkTensorSize('output', outShape, limits);
  checkWork(elementCount(outShape) * kernelSize[0] * kernelSize[1], limits);
}
