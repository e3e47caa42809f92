import type * as tf from '@tensorflow/tfjs-core';
import { avgPool2d, type AvgPool2dOptions, maxPool2d } from '../../sdk/serve';
import { ApiError } from '../errors';

/** PyTorch's pooling arguments as the SDK's options; count_include_pad belongs to avg pooling only (as in PyTorch). */
export function poolOptions(
  mode: 'max' | 'avg',
  kernelSize: AvgPool2dOptions['kernelSize'],
  stride: AvgPool2dOptions['stride'],
  padding: AvgPool2dOptions['padding'],
  ceilMode: boolean | undefined,
  countIncludePad: boolean | undefined,
): AvgPool2dOptions {
  if (mode === 'max' && countIncludePad !== undefined) {
    const message = 'count_include_pad applies to mode avg only (max pooling never counts padding)';
    throw new ApiError(422, 'invalid_argument', message, { argument: 'count_include_pad' });
  }
  return { kernelSize, stride, padding, ceilMode, countIncludePad };
}

export function poolWith(mode: 'max' | 'avg', x: tf.Tensor, options: AvgPool2dOptions): tf.Tensor {
  if (mode === 'avg') return avgPool2d(x, options);
  const { countIncludePad: _, ...maxOptions } = options;
  return maxPool2d(x, maxOptions);
}
