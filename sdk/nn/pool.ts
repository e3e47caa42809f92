import type * as tf from '@tensorflow/tfjs-core';
import { avgPool2d, maxPool2d, resolvePool2dOptions, type ResolvedPool2dOptions } from '../functional/pool';
import type { IntOrPair } from '../functional/window';
import { Module, type ModuleSpec } from './module';

export interface Pool2dModuleOptions {
  /** Defaults to the kernel size. */
  stride?: IntOrPair;
  padding?: IntOrPair;
  ceilMode?: boolean;
}

export interface AvgPool2dModuleOptions extends Pool2dModuleOptions {
  countIncludePad?: boolean;
}

/** Max pooling, as torch.nn.MaxPool2d (without dilation or indices); see F.maxPool2d for shapes and rules. */
export class MaxPool2d extends Module {
  readonly options: ResolvedPool2dOptions;

  constructor(kernelSize: IntOrPair, { stride, padding = 0, ceilMode = false }: Pool2dModuleOptions = {}) {
    super();
    this.options = resolvePool2dOptions({ kernelSize, stride, padding, ceilMode });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return maxPool2d(x, this.options);
  }

  override spec(): ModuleSpec {
    return { type: 'MaxPool2d', ...this.options };
  }
}

/** Average pooling, as torch.nn.AvgPool2d (without divisor_override); see F.avgPool2d for shapes and rules. */
export class AvgPool2d extends Module {
  readonly options: ResolvedPool2dOptions;
  readonly countIncludePad: boolean;

  constructor(
    kernelSize: IntOrPair,
    { stride, padding = 0, ceilMode = false, countIncludePad = true }: AvgPool2dModuleOptions = {},
  ) {
    super();
    this.options = resolvePool2dOptions({ kernelSize, stride, padding, ceilMode });
    this.countIncludePad = countIncludePad;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return avgPool2d(x, { ...this.options, countIncludePad: this.countIncludePad });
  }

  override spec(): ModuleSpec {
    return { type: 'AvgPool2d', ...this.options, countIncludePad: this.countIncludePad };
  }
}
