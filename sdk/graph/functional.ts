/**
 * The public F ops that a traced forward may call (re-exported by sdk/functional/index.ts as `F.*`): each is the
 * SDK's function, reporting itself to a running trace as one op of the op set. Training-only behaviour (dropout
 * sampling, batch statistics updating running averages) has no place in an exported graph and fails the trace.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { TraceError } from '../errors';
import { relu as reluOp, sigmoid as sigmoidOp } from '../functional/activation';
import { batchNorm as batchNormOp, type BatchNormOptions } from '../functional/batchnorm';
import { conv2d as conv2dOp, type Conv2dOptions } from '../functional/conv';
import { dropout as dropoutOp } from '../functional/dropout';
import { linear as linearOp, type LinearOptions } from '../functional/linear';
import { avgPool2d as avgPool2dOp, maxPool2d as maxPool2dOp, resolvePool2dOptions, type AvgPool2dOptions, type Pool2dOptions } from '../functional/pool';
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from '../functional/softmax';
import { toPair } from '../functional/window';
import type { Generator } from '../random';
import { identity, traceable, type OpCall } from './dispatch';

const unary = (op: string) => (x: tf.Tensor): OpCall => ({ op, inputs: [x], attrs: {} });

export const relu = traceable(reluOp, unary('relu'));
export const sigmoid = traceable(sigmoidOp, unary('sigmoid'));

export const softmax = traceable(softmaxOp, (x: tf.Tensor, dim: number) => ({ op: 'softmax', inputs: [x], attrs: { dim } }));
export const logSoftmax = traceable(logSoftmaxOp, (x: tf.Tensor, dim: number) => ({
  op: 'logSoftmax',
  inputs: [x],
  attrs: { dim },
}));

export const linear = traceable(linearOp, (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, options: LinearOptions = {}) => ({
  op: 'linear',
  inputs: [x, weight, bias ?? null],
  attrs: { activation: options.activation ?? 'linear' },
}));

export const conv2d = traceable(conv2dOp, (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, options: Conv2dOptions = {}) => {
  const { stride = 1, padding = 0, dilation = 1 } = options;
  return {
    op: 'conv2d',
    inputs: [x, weight, bias ?? null],
    attrs: {
      stride: toPair('stride', stride),
      padding: typeof padding === 'string' ? padding : toPair('padding', padding),
      dilation: toPair('dilation', dilation),
    },
  };
});

export const maxPool2d = traceable(maxPool2dOp, (x: tf.Tensor, options: Pool2dOptions) => ({
  op: 'maxPool2d',
  inputs: [x],
  attrs: { ...resolvePool2dOptions(options) },
}));

export const avgPool2d = traceable(avgPool2dOp, (x: tf.Tensor, options: AvgPool2dOptions) => ({
  op: 'avgPool2d',
  inputs: [x],
  attrs: { ...resolvePool2dOptions(options), countIncludePad: options.countIncludePad ?? true },
}));

export const dropout = traceable(dropoutOp, (x: tf.Tensor, p = 0.5, training = true, _generator?: Generator): OpCall => {
  if (training && p > 0) {
    throw new TraceError(
      'F.dropout is called with training = true while the model is exported (in eval mode); pass the module\'s ' +
        'mode, F.dropout(x, p, this.training), so that it is the identity there',
      { op: 'dropout' },
    );
  }
  return identity(x);
});

export const batchNorm = traceable(
  batchNormOp,
  (
    x: tf.Tensor,
    runningMean: tf.Variable | undefined,
    runningVar: tf.Variable | undefined,
    weight: tf.Tensor | undefined,
    bias: tf.Tensor | undefined,
    options: BatchNormOptions,
  ) => {
    if (options.training) {
      throw new TraceError(
        'F.batchNorm is called with training = true while the model is exported (in eval mode); pass the ' +
          "module's mode, { training: this.training }, so that it uses the running statistics",
        { op: 'batchNorm' },
      );
    }
    return {
      op: 'batchNorm',
      inputs: [x, runningMean ?? null, runningVar ?? null, weight ?? null, bias ?? null],
      attrs: { eps: options.eps ?? 1e-5 },
    };
  },
);
