// The size limits of the image routes (/v1/image/*, /v1/models/{name}/transform), and the checks that apply them
// before anything large is allocated or computed. The costs come from the SDK (conv2dCost, pool2dCost): nothing here
// re-derives the maths.
import { conv2dCost, type Conv2dOptions, elementCount, type ImageInfo, type OpCost, pool2dCost, type Pool2dOptions } from '../../sdk/serve';
import { ApiError } from '../errors';
import type { Admission } from './admission';

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
  /** Most work one conv2d or pool request may cost, in multiply-add equivalents (OpCost.work: output elements ×
   *  window size × input channels, more for a convolution assembled tap by tap). */
  maxMultiplyAdds: number;
  /** Most output elements answered as JSON (about 12 bytes each): a larger output is sent as a PNG or refused. */
  maxJsonElements: number;
  /** Image requests one isolate works on at once, and how many may wait for a turn (see admission.ts). */
  admission: Admission;
}

const MIB = 1024 * 1024;

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBodyBytes: 10 * MIB,
  maxImageSide: 4096,
  // Far below the 16 MP the header check could allow: an image costs several times its pixels on the way (samples,
  // float tensor, maps, picture, PNG), an isolate has 128 MB, and each step runs without yielding to predictions.
  // A 2 MP image (1920×1080 fits) peaks well inside that; raise it with createApp's limits.
  maxImagePixels: 2 * MIB,
  maxTensorElements: 4 * MIB, // 2²² = 4,194,304 (a 2048×2048 grey image)
  maxMultiplyAdds: 2 ** 30,
  maxJsonElements: 256 * 1024, // about 3 MB of JSON
  admission: { concurrent: 1, queued: 4, maxWaitMs: 2_000, giveWayMs: 50 },
};

/** 413 answer_too_large unless an output of `shape` fits the JSON answer limit (a PNG answer has no such limit). */
export function checkAnswer(format: 'png' | 'json', shape: readonly number[], limits: ImageLimits): void {
  if (format === 'png') return;
  const elements = elementCount(shape);
  if (elements > limits.maxJsonElements) {
    throw new ApiError(
      413,
      'answer_too_large',
      `the output has ${elements} elements (shape [${shape.join(', ')}]); at most ${limits.maxJsonElements} are ` +
        'answered as JSON: ask for the PNG (format=png), or use a larger stride or a smaller input',
      { field: 'output', shape: [...shape], elements, limit: limits.maxJsonElements },
    );
  }
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
      `this request would cost the work of ${multiplyAdds} multiply-adds; at most ${limits.maxMultiplyAdds} are ` +
        'accepted (use a smaller input, fewer channels, a larger stride, or a stride or dilation of 1)',
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
 * Prices F.conv2d(x, weight, bias, options) from the shapes alone (the SDK's conv2dCost, which follows the path
 * conv2d really takes): 413 tensor_too_large when the output or any tensor made on the way is over the element
 * limit, 413 computation_too_large over the multiply-add limit. Shapes or options conv2d refuses raise its
 * ArgumentError (422) here, before anything is decoded or allocated. Returns the output's shape.
 */
export function checkConv2d(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions,
  limits: ImageLimits,
  biasShape?: readonly number[],
): readonly number[] {
  return checkCost(conv2dCost(inputShape, weightShape, options, biasShape), limits);
}

/** As checkConv2d, for F.maxPool2d / F.avgPool2d(x, options). */
export function checkPool2d(inputShape: readonly number[], options: Pool2dOptions, limits: ImageLimits): readonly number[] {
  return checkCost(pool2dCost(inputShape, options), limits);
}

function checkCost({ outputShape, work, largestTensor }: OpCost, limits: ImageLimits): readonly number[] {
  checkTensorSize('output', outputShape, limits);
  if (largestTensor > limits.maxTensorElements) {
    throw new ApiError(
      413,
      'tensor_too_large',
      `computing this would make a tensor of ${largestTensor} elements; at most ${limits.maxTensorElements} are ` +
        'accepted (use a smaller input, fewer channels or less padding)',
      { field: 'intermediate', elements: largestTensor, limit: limits.maxTensorElements },
    );
  }
  checkWork(work, limits);
  return outputShape;
}
