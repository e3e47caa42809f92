import type * as tf from '@tensorflow/tfjs-core';
import { ReLU, Sigmoid } from '../nn/activation';
import { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm';
import { Conv2d } from '../nn/conv';
import { Dropout } from '../nn/dropout';
import { Flatten } from '../nn/flatten';
import { Linear } from '../nn/linear';
import type { Module } from '../nn/module';
import { AvgPool2d, MaxPool2d } from '../nn/pool';
import { LogSoftmax, Softmax } from '../nn/softmax';
import { identity, type OpCall } from './dispatch';

/** How a call of one of nn's layers is recorded: as one op call (IDENTITY for a layer that passes its input on). */
type Describe = (module: never, x: tf.Tensor) => OpCall;

/**
 * nn's layers, each recorded as one op when its forward runs in a trace (what it runs inside is not looked at).
 * Matched by exact class: a subclass may override forward, so it is traced through like any user module.
 */
const LAYERS = new Map<Function, Describe>([
  [Linear, (m: Linear, x) => ({ op: 'linear', inputs: [x, m.weight, m.bias ?? null], attrs: { activation: 'linear' } })],
  [Conv2d, (m: Conv2d, x) => ({
    op: 'conv2d',
    inputs: [x, m.weight, m.bias ?? null],
    attrs: { stride: m.stride, padding: m.padding, dilation: m.dilation },
  })],
  [BatchNorm1d, batchNorm],
  [BatchNorm2d, batchNorm],
  [ReLU, (_: ReLU, x) => ({ op: 'relu', inputs: [x], attrs: {} })],
  [Sigmoid, (_: Sigmoid, x) => ({ op: 'sigmoid', inputs: [x], attrs: {} })],
  [Softmax, (m: Softmax, x) => ({ op: 'softmax', inputs: [x], attrs: { dim: m.dim } })],
  [LogSoftmax, (m: LogSoftmax, x) => ({ op: 'logSoftmax', inputs: [x], attrs: { dim: m.dim } })],
  [Flatten, (m: Flatten, x) => ({ op: 'flatten', inputs: [x], attrs: { startDim: m.startDim, endDim: m.endDim } })],
  [MaxPool2d, (m: MaxPool2d, x) => ({ op: 'maxPool2d', inputs: [x], attrs: { ...m.options } })],
  [AvgPool2d, (m: AvgPool2d, x) => ({
    op: 'avgPool2d',
    inputs: [x],
    attrs: { ...m.options, countIncludePad: m.countIncludePad },
  })],
  // Traced in eval mode, where dropout is the identity.
  [Dropout, (_: Dropout, x) => identity(x)],
]);

function batchNorm(m: BatchNorm1d | BatchNorm2d, x: tf.Tensor): OpCall {
  return {
    op: 'batchNorm',
    inputs: [x, m.runningMean ?? null, m.runningVar ?? null, m.weight ?? null, m.bias ?? null],
    attrs: { eps: m.eps },
  };
}

/** How `module`'s forward on `x` is recorded if it is one of nn's layers; undefined for any other module. */
export function describeLayer(module: Module, x: tf.Tensor): OpCall | undefined {
  return LAYERS.get(module.constructor)?.(module as never, x);
}
