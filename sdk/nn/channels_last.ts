import type * as tf from '@tensorflow/tfjs-core';
import { relu } from '../functional/activation';
import { avgPool2dChannelsLast, maxPool2dChannelsLast } from '../functional/pool';
import { ReLU } from './activation';
import { BatchNorm2d } from './batchnorm';
import { Conv2d } from './conv';
import { Dropout } from './dropout';
import type { Module } from './module';
import { AvgPool2d, MaxPool2d } from './pool';

/** A layer's forward on NHWC data: `[N, H, W, C]` in, the same layout out. */
export type ChannelsLastForward = (x: tf.Tensor4D) => tf.Tensor4D;

/**
 * The NHWC forwards of the layers from `start` on, as far as each has one that computes the same values as its NCHW
 * forward (a plain Conv2d, MaxPool2d, AvgPool2d, ReLU, Dropout, or BatchNorm2d with running statistics, in eval
 * mode), when that run holds two or more convolutions or poolings; otherwise none. tfjs's convolution and pooling
 * kernels take NHWC, so each of these layers on its own moves its input there and its output back, while a run can
 * stay in NHWC between layers (1×3×224×224 through Conv2d(3, 4, k3, s2) and MaxPool2d(2): two moves of ~20 µs
 * fewer).
 */
export function channelsLastRun(layers: readonly Module[], start: number): ChannelsLastForward[] {
  const run: ChannelsLastForward[] = [];
  let nhwcOnly = 0;
  for (let i = start; i < layers.length && !layers[i].training; i++) {
    const either = inEitherLayout(layers[i]);
    const forward = either ?? inNhwcOnly(layers[i]);
    if (!forward) break;
    run.push(forward);
    if (!either) nhwcOnly++;
  }
  return nhwcOnly > 1 ? run : [];
}

/** The NHWC forward of a layer that runs in either layout without moving its data. */
function inEitherLayout(layer: Module): ChannelsLastForward | undefined {
  if (plain(layer, ReLU)) return (x) => relu(x) as tf.Tensor4D;
  if (plain(layer, Dropout)) return (x) => x;
  if (plain(layer, BatchNorm2d) && layer.runningMean) return (x) => layer.forwardChannelsLast(x);
  return undefined;
}

/** The NHWC forward of a convolution or a pooling, whose tfjs kernel takes NHWC only. */
function inNhwcOnly(layer: Module): ChannelsLastForward | undefined {
  if (plain(layer, Conv2d)) return (x) => layer.forwardChannelsLast(x);
  if (plain(layer, MaxPool2d)) return (x) => maxPool2dChannelsLast(x, layer.options);
  if (plain(layer, AvgPool2d)) return (x) => avgPool2dChannelsLast(x, { ...layer.options, countIncludePad: layer.countIncludePad });
  return undefined;
}

/**
 * Whether `module` is an instance of exactly `type`, running that class's own forward: never a subclass nor a module
 * whose forward was replaced (nn.summary and graph tracing record each module's call that way).
 */
export function plain<T extends Module>(module: Module | undefined, type: new (...args: never[]) => T): module is T {
  return module?.constructor === type && !Object.hasOwn(module, 'forward');
}
