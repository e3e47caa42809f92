import * as tf from '@tensorflow/tfjs-core';
import { requirePositiveInteger } from '../checks';
import { ArgumentError } from '../errors';
import { batchNorm, batchNormChannelsLast } from '../functional/batchnorm';
import { nchwShape } from '../functional/layout';
import { Module, type ModuleSpec } from './module';
import { Parameter } from './parameter';

export interface BatchNormModuleOptions {
  eps?: number;
  /** Weight of each new batch in the running statistics; null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, starting at 1) and shift (bias, starting at 0). */
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Shared by BatchNorm1d and BatchNorm2d, which differ only in the input ranks they accept. State-dict entries are
 * PyTorch's: weight, bias, running_mean, running_var, num_batches_tracked.
 */
abstract class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight?: Parameter;
  bias?: Parameter;
  readonly runningMean?: tf.Variable;
  readonly runningVar?: tf.Variable;
  readonly numBatchesTracked?: tf.Variable;
  protected abstract readonly kind: 'BatchNorm1d' | 'BatchNorm2d';
  protected abstract readonly acceptedRanks: readonly number[];

  constructor(
    readonly numFeatures: number,
    { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true }: BatchNormModuleOptions = {},
  ) {
    super();
    requirePositiveInteger('numFeatures', numFeatures);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      this.weight = new Parameter(tf.ones([numFeatures]));
      this.bias = new Parameter(tf.zeros([numFeatures]));
    }
    if (trackRunningStats) {
      this.runningMean = this.registerBuffer('running_mean', tf.zeros([numFeatures]));
      this.runningVar = this.registerBuffer('running_var', tf.ones([numFeatures]));
      this.numBatchesTracked = this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x.shape);
    const tracked = this.numBatchesTracked;
    let batchesTracked = 0;
    if (this.training && tracked) {
      tf.tidy(() => tracked.assign(tf.add(tracked, tf.scalar(1, 'int32'))));
      // Only the cumulative average needs the count on the host; reading it would stall every step otherwise.
      if (this.momentum === null) batchesTracked = tracked.dataSync()[0];
    }
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
      batchesTracked,
    });
  }

  /** forward in eval mode with running statistics, on NHWC data (`[N, H, W, C]`): nn.Sequential's runs. */
  forwardChannelsLast(x: tf.Tensor4D): tf.Tensor4D {
    this.checkInput(nchwShape(x.shape));
    return batchNormChannelsLast(x, this.runningMean!, this.runningVar!, this.weight, this.bias, this.eps);
  }

  /** The rank and channel checks, against the NCHW shape the input stands for. */
  private checkInput(shape: readonly number[]): void {
    if (!this.acceptedRanks.includes(shape.length)) {
      throw new ArgumentError(
        `${this.kind} expects a ${this.acceptedRanks.map((r) => `${r}D`).join(' or ')} input, got shape [${shape}]`,
      );
    }
    if (shape[1] !== this.numFeatures) {
      throw new ArgumentError(`${this.kind}(${this.numFeatures}) got ${shape[1]} channels on axis 1 (input shape [${shape}])`);
    }
  }

  override spec(): ModuleSpec {
    return {
      type: this.kind,
      numFeatures: this.numFeatures,
      eps: this.eps,
      momentum: this.momentum,
      affine: this.affine,
      trackRunningStats: this.trackRunningStats,
    };
  }
}

/** Batch norm over `[N, C]` or `[N, C, L]` inputs, as torch.nn.BatchNorm1d. */
export class BatchNorm1d extends BatchNorm {
  protected readonly kind = 'BatchNorm1d';
  protected readonly acceptedRanks = [2, 3];
}

/** Batch norm over `[N, C, H, W]` inputs, as torch.nn.BatchNorm2d. */
export class BatchNorm2d extends BatchNorm {
  protected readonly kind = 'BatchNorm2d';
  protected readonly acceptedRanks = [4];
}
