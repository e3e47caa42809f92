import type * as tf from '@tensorflow/tfjs-core';
import { relu } from '../functional/activation';
import { avgPool2dChannelsLast, maxPool2dChannelsLast } from '../functional/pool';
import { ReLU } from './activation';
import { Conv2d } from './conv';
import { Dropout } from './dropout';
import type { Module } from './module';
import { AvgPool2d, MaxPool2d } from './pool';

/** A layer's forward on NHWC data: `[N, H, W, C]` in, the same layout out. */
export type ChannelsLastForward = (x: tf.Tensor4D) => tf.Tensor4D;

/**
 * The NHWC forwards of the layers from `start` on, as far as each has one that computes the same values as its NCHW
 * forward (a plain Conv2d, MaxPool2d, AvgPool2d, ReLU or Dropout in eval mode), when that run holds two or more
 * convolutions or poolings; otherwise none. tfjs's convolution and pooling kernels take NHWC, so each of these layers
 * on its own moves its input there and its output back, while a run can stay in NHWC between layers (1×3×224×224
 * through Conv2d(3, 4, k3, s2) and MaxPool2d(2): two moves of ~20 µs fewer). Not batch norm: per-channel factors
 * broadcast over NHWC's last axis make tfjs's wasm Mul 4–12× slower.
 */
export function channelsLastRun(layers: readonly Module[], start: number): ChannelsLastForward[] {
  const run: ChannelsLastForward[] = [];
  let layoutBound = 0;
  for (let i = start; i < layers.length && !layers[i].training; i++) {
    const layer = layers[i];
    if (plain(layer, ReLU)) run.push((x) => relu(x) as tf.Tensor4D);
    else if (plain(layer, Dropout)) run.push((x) => x);
    else if (plain(layer, Conv2d)) run.push((x) => layer.forwardChannelsLast(x));
    else if (plain(layer, MaxPool2d)) run.push((x) => maxPool2dChannelsLast(x, layer.options));
    else if (plain(layer, AvgPool2d)) {
      run.push((x) => avgPool2dChannelsLast(x, { ...layer.options, countIncludePad: layer.countIncludePad }));
    } else break;
    if (!plain(layer, ReLU) && !plain(layer, Dropout)) layoutBound++;
  }
  return layoutBound > 1 ? run : [];
}

/**
 * Whether `module` is an instance of exactly `type`, running that class's own forward: never a subclass nor a module
 * whose forward was replaced (nn.summary and graph tracing record each module's call that way).
 */
export function plain<T extends Module>(module: Module | undefined, type: new (...args: never[]) => T): module is T {
  return module?.constructor === type && !Object.hasOwn(module, 'forward');
}
