import type * as tf from '@tensorflow/tfjs-core';
import { kernel, kernels } from './differentiable';

const { reshape } = kernels;

/*
 * The moves between PyTorch's NCHW and the NHWC that tfjs's conv and pool kernels take. tfjs's wasm Transpose
 * (transpose_impl.cc) copies a 2-D view row by row, reading in order and writing with a stride, and a 3-D view in
 * the output's order, reading with a stride; a permutation that keeps the batch axis first is one such copy per
 * item. NCHW ⇄ NHWC can be asked for either way: as a 2-D view (C rows of H·W, or H·W rows of C) or as the 4-D
 * permutation, and one way walks its strided side C floats at a time, the other H·W floats at a time. Which is
 * faster depends on the shape, by up to 6× (a 1×3×224×224 image: 431 µs the 4-D way, 73 µs the 2-D way), so each
 * move picks (see channelStrided). Every way moves the same floats: the results are identical.
 */

/** NCHW (or CHW, as a batch of one) → NHWC. */
export function toNhwc(t: tf.Tensor): tf.Tensor4D {
  const [n, c, h, w] = t.rank === 4 ? t.shape : [1, ...t.shape];
  if (isPlain(c, h * w)) return reshape(t, [n, h, w, c]) as tf.Tensor4D;
  if (!channelStrided('toNhwc', c, h * w)) {
    return kernel('Transpose', { x: reshape(t, [n, c, h, w]) }, { perm: [0, 2, 3, 1] }) as tf.Tensor4D;
  }
  const rows = kernel('Transpose', { x: reshape(t, [n, c, h * w]) }, { perm: [0, 2, 1] });
  return reshape(rows, [n, h, w, c]) as tf.Tensor4D;
}

/** NHWC → NCHW, or CHW when `rank` is 3 (the input was unbatched). */
export function toNchw(t: tf.Tensor4D, rank: number): tf.Tensor {
  const [n, h, w, c] = t.shape;
  const shape = rank === 4 ? [n, c, h, w] : [c, h, w];
  if (isPlain(c, h * w)) return reshape(t, shape);
  if (channelStrided('toNchw', c, h * w)) return reshape(kernel('Transpose', { x: t }, { perm: [0, 3, 1, 2] }), shape);
  return reshape(kernel('Transpose', { x: reshape(t, [n, h * w, c]) }, { perm: [0, 2, 1] }), shape);
}

/** The NCHW shape that NHWC data of `shape` stands for (checks and messages are worded in NCHW). */
export function nchwShape([n, height, width, channels]: readonly number[]): number[] {
  return [n, channels, height, width];
}

/** One channel, or one pixel per channel: both layouts hold the floats in the same order, so a reshape moves them. */
function isPlain(channels: number, plane: number): boolean {
  return channels === 1 || plane === 1;
}

/**
 * Whether the move walks its strided side a channel at a time (C floats apart) rather than a plane at a time (H·W
 * floats apart). Planes that are a multiple of 1024 floats (4 KiB) apart fall in the same cache sets, which makes
 * the plane-strided walk 2–10× slower (32×32 planes, 224×224), so channels are walked then. Otherwise the channel
 * stride wins while the channels are few, and the plane stride once each channel step lands on a new cache line:
 * measured over batches 1–32, planes 14²–56² and 2–128 channels, the crossover lies above 32 channels into NHWC,
 * above 4 out of it (where the 2-D view's rows would be only C floats long).
 */
function channelStrided(move: 'toNhwc' | 'toNchw', channels: number, plane: number): boolean {
  if (plane % 1024 === 0) return true;
  return channels <= (move === 'toNhwc' ? 32 : 4);
}
