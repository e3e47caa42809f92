import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable, kernel, kernels } from './differentiable';
import { nchwShape, toNchw, toNhwc } from './layout';
import { elementCount, outputSize, toPair, type ExplicitPadding, type IntOrPair, type OpCost } from './window';

export interface Pool2dOptions {
  /** Window size, `k` or `[kh, kw]`. */
  kernelSize: IntOrPair;
  /** Step between windows; defaults to the kernel size, as in PyTorch. */
  stride?: IntOrPair;
  /** Implicit padding on every side, at most half the kernel. Default 0. */
  padding?: IntOrPair;
  /** Round the output size up instead of down, so a partial last window counts (see outputSize). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether the zero padding counts in each window's divisor. Default true, as in PyTorch. */
  countIncludePad?: boolean;
}

export interface ResolvedPool2dOptions extends Pool2dOptions {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
}

/** One spatial axis of a pooling: where its windows fall. */
interface PoolAxis {
  size: number;
  kernel: number;
  stride: number;
  padding: number;
  out: number;
  /** Padding after the input that tfjs needs to produce `out` windows: up to the requested padding, more in ceil
   *  mode when the last window hangs past the padded edge. */
  padAfter: number;
}

/**
 * 2-D max pooling over an NCHW input, as torch.nn.functional.max_pool2d (without dilation or indices).
 *
 * Shapes: `x` is `[N, C, H, W]`, or `[C, H, W]` unbatched (the output is then unbatched too); the output is
 * `[N, C, Ho, Wo]` with Ho = outputSize(H, kh, { stride: sh, padding: ph, ceilMode }) =
 * ⌊(H + 2·ph − kh)/sh⌋ + 1 (rounded up in ceil mode, less a last window that would start in the padding), Wo alike.
 * Padding counts as −∞, so it never wins. Values are exact (no arithmetic). Backward: each output's gradient goes
 * to the first maximum of its window, in row-major order, as in PyTorch.
 */
export function maxPool2d(x: tf.Tensor, options: Pool2dOptions): tf.Tensor {
  const axes = poolAxes('max_pool2d', x.shape, resolvePool2dOptions(options));
  if (tf.engine().isTapeOn()) return firstMaximumPool(x, axes);
  return tf.tidy(() => inNhwc(x, (nhwc) => maxPoolKernel(nhwc, axes)));
}

/**
 * maxPool2d on NHWC data, `[N, H, W, C]` → `[N, Ho, Wo, C]`, without a gradient: for a run of layers that keeps
 * tfjs's layout from one to the next (nn.Sequential in eval mode, a loaded graph). The same checks, against the NCHW
 * shape.
 */
export function maxPool2dChannelsLast(x: tf.Tensor4D, options: Pool2dOptions): tf.Tensor4D {
  return maxPoolKernel(x, poolAxes('max_pool2d', nchwShape(x.shape), resolvePool2dOptions(options)));
}

/** tfjs's pooling ignores explicit padding, which is PyTorch's −∞ padding for max. */
function maxPoolKernel(x: tf.Tensor4D, axes: [PoolAxis, PoolAxis]): tf.Tensor4D {
  return kernel('MaxPool', { x }, windowAttrs(axes)) as tf.Tensor4D;
}

/**
 * 2-D average pooling over an NCHW input, as torch.nn.functional.avg_pool2d (without divisor_override).
 *
 * Shapes as maxPool2d. Each output is the window's sum divided by the number of its cells that lie within the
 * padded input (`countIncludePad`, the default) or within the input itself (`countIncludePad: false`); in ceil mode
 * the part of a last window that hangs past the padded edge never counts. Backward: each output's gradient, divided
 * the same way, goes to every input cell of its window.
 */
export function avgPool2d(x: tf.Tensor, { countIncludePad = true, ...options }: AvgPool2dOptions): tf.Tensor {
  const axes = poolAxes('avg_pool2d', x.shape, resolvePool2dOptions(options));
  const { filterSize, strides, pad } = windowAttrs(axes);
  const divisors = axes.map((axis) => windowCounts(axis, countIncludePad));
  const scale = divisorScale(axes, divisors);
  const [rows, columns] = axes;
  const op = differentiable(([input]) => {
    const y = inNhwc(input, (nhwc) => kernel('AvgPool', { x: nhwc }, { filterSize, strides, pad }) as tf.Tensor4D);
    return {
      // In NCHW, where the factors repeat over whole planes: in NHWC tfjs's wasm broadcasting is far slower.
      value: scale ? tf.mul(y, tf.tensor2d(scale, [rows.out, columns.out])) : y,
      // Every input cell of a window receives dy / divisor: a transposed convolution, by a kh×kw filter of ones, of
      // each channel of each item as a plane of its own ([N·C, H, W, 1], a reshape of NCHW). Only the input's shape
      // is read, so nothing is saved.
      gradFunc: (dy: tf.Tensor) => {
        const cells = windowMap(axes, (r, c) => divisors[0][r] * divisors[1][c]);
        const dyPlanes = kernels.reshape(dy, [-1, rows.out, columns.out, 1]) as tf.Tensor4D;
        const share = tf.div(dyPlanes, tf.tensor3d(cells, [rows.out, columns.out, 1])) as tf.Tensor4D;
        const ones = tf.ones([...filterSize, 1, 1]) as tf.Tensor4D;
        const planes: [number, number, number, number] = [dyPlanes.shape[0], rows.size, columns.size, 1];
        return tf.reshape(tf.conv2dTranspose(share, ones, planes, strides, pad), input.shape);
      },
    };
  });
  return tf.tidy(() => op(x));
}

/**
 * avgPool2d on NHWC data, `[N, H, W, C]` → `[N, Ho, Wo, C]`, without a gradient (see maxPool2dChannelsLast).
 */
export function avgPool2dChannelsLast(x: tf.Tensor4D, { countIncludePad = true, ...options }: AvgPool2dOptions): tf.Tensor4D {
  const axes = poolAxes('avg_pool2d', nchwShape(x.shape), resolvePool2dOptions(options));
  const scale = divisorScale(axes, axes.map((axis) => windowCounts(axis, countIncludePad)));
  return tf.tidy(() => {
    const y = kernel('AvgPool', { x }, windowAttrs(axes)) as tf.Tensor4D;
    return scale ? tf.mul(y, tf.tensor3d(scale, [axes[0].out, axes[1].out, 1])) : y;
  });
}

/**
 * What each output of tfjs's average pooling is multiplied by to divide by PyTorch's divisor (`divisors`, per window
 * along each axis), row-major, or undefined when nothing is: tfjs divides by the cells inside the input, as
 * countIncludePad: false does. Without padding, or with windows that never overhang it, the two are the same.
 */
function divisorScale(axes: [PoolAxis, PoolAxis], divisors: number[][]): Float32Array | undefined {
  const inside = axes.map((axis) => windowCounts(axis, false));
  if (inside.every((counts, a) => counts.every((count, i) => count === divisors[a][i]))) return undefined;
  return windowMap(axes, (r, c) => (inside[0][r] * inside[1][c]) / (divisors[0][r] * divisors[1][c]));
}

/**
 * Checks pooling options (positive kernel and stride, padding at most half the kernel) and resolves them to pairs;
 * nn.MaxPool2d and nn.AvgPool2d call it at construction.
 */
export function resolvePool2dOptions(options: Pool2dOptions): ResolvedPool2dOptions {
  const { kernelSize, stride, padding = 0, ceilMode = false } = options;
  const kernel = toPair('kernel_size', kernelSize);
  const strides = toPair('stride', stride ?? kernelSize);
  const paddings = toPair('padding', padding);
  if (kernel.some((k) => k <= 0)) {
    throw new ArgumentError(`kernel size should be greater than zero, but got kH: ${kernel[0]} kW: ${kernel[1]}`);
  }
  if (strides.some((s) => s <= 0)) {
    throw new ArgumentError(`stride should be greater than zero, but got dH: ${strides[0]} dW: ${strides[1]}`);
  }
  if (paddings.some((p) => p < 0)) throw new ArgumentError('negative padding is not supported', { padding });
  for (const axis of [0, 1]) {
    if (paddings[axis] > Math.floor(kernel[axis] / 2)) {
      throw new ArgumentError(
        `pad should be at most half of effective kernel size, but got pad=${paddings[axis]}, ` +
          `kernel_size=${kernel[axis]} and dilation=1`,
      );
    }
  }
  return { kernelSize: kernel, stride: strides, padding: paddings, ceilMode };
}

/**
 * What maxPool2d / avgPool2d(x, options) will compute, from the input's shape alone and before any of it runs (see
 * OpCost); raises the ArgumentError the pool would. A server prices a request with it.
 */
export function pool2dCost(inputShape: readonly number[], options: Pool2dOptions): OpCost {
  const resolved = resolvePool2dOptions(options);
  const [rows, columns] = poolAxes('pool2d', inputShape, resolved);
  const [kh, kw] = resolved.kernelSize;
  const outputShape = [...inputShape.slice(0, -2), rows.out, columns.out];
  const output = elementCount(outputShape);
  return {
    outputShape,
    multiplyAdds: output * kh * kw,
    work: output * kh * kw,
    largestTensor: Math.max(elementCount(inputShape), output),
  };
}

function poolAxes(name: string, shape: readonly number[], options: ResolvedPool2dOptions): [PoolAxis, PoolAxis] {
  if ((shape.length !== 3 && shape.length !== 4) || elementCount(shape) === 0) {
    throw new ArgumentError(
      `${name}: non-empty 3D or 4D (batch mode) tensor expected for input, got shape [${shape}]`,
    );
  }
  const [channels, height, width] = shape.slice(-3);
  const axes = [height, width].map((size, i): PoolAxis => {
    const [kernel, stride, padding] = [options.kernelSize[i], options.stride[i], options.padding[i]];
    const out = outputSize(size, kernel, { stride, padding, ceilMode: options.ceilMode });
    const padAfter = Math.max(0, (out - 1) * stride + kernel - size - padding);
    return { size, kernel, stride, padding, out, padAfter };
  }) as [PoolAxis, PoolAxis];
  if (axes.some((axis) => axis.out < 1)) {
    throw new ArgumentError(
      `${name}: Given input size: (${channels}x${height}x${width}). Calculated output size: ` +
        `(${channels}x${axes[0].out}x${axes[1].out}). Output size is too small`,
    );
  }
  return axes;
}

/**
 * A tfjs pooling of an NCHW (or CHW) input. Each channel is pooled on its own, so the pooling could run on NCHW
 * viewed as `[N·C, H, W, 1]`, a reshape; but tfjs's pooling kernels run a channel at a time there, 4–6× slower than
 * on NHWC, where they work across the channels at once, so the input moves to NHWC and back (layout.ts), with the
 * same values.
 */
function inNhwc(x: tf.Tensor, pooling: (nhwc: tf.Tensor4D) => tf.Tensor4D): tf.Tensor {
  return toNchw(pooling(toNhwc(x)), x.rank);
}

/**
 * How many cells of each window along one axis the divisor counts: the window clipped to the padded input
 * [−padding, size + padding), or to the input [0, size) when padding does not count.
 */
function windowCounts({ size, kernel, stride, padding, out }: PoolAxis, countIncludePad: boolean): number[] {
  return Array.from({ length: out }, (_, i) => {
    const start = i * stride - padding;
    const end = Math.min(start + kernel, size + padding);
    return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
  });
}

/** `value(i, j)` for every output position (i, j), row-major. */
function windowMap([rows, columns]: [PoolAxis, PoolAxis], value: (row: number, column: number) => number): Float32Array {
  const map = new Float32Array(rows.out * columns.out);
  for (let i = 0; i < rows.out; i++) for (let j = 0; j < columns.out; j++) map[i * columns.out + j] = value(i, j);
  return map;
}

/** Kernel size, strides and explicit padding (PyTorch's, plus whatever ceil mode needs), as tfjs's ops take them. */
function windowAttrs([rows, columns]: [PoolAxis, PoolAxis]) {
  return {
    filterSize: [rows.kernel, columns.kernel] as [number, number],
    strides: [rows.stride, columns.stride] as [number, number],
    pad: [[0, 0], [rows.padding, rows.padAfter], [columns.padding, columns.padAfter], [0, 0]] as ExplicitPadding,
  };
}

/**
 * Max pooling while a tape records: one pass over the input's planes (NCHW holds each channel of each item
 * contiguously) takes each window's first maximum in row-major order, or its last NaN, as PyTorch's CPU kernel does
 * (padding is −∞ and never wins), and remembers where it was; the backward pass adds each output's gradient there.
 * tfjs's wasm MaxPoolGrad routes ties and overlapping windows wrongly and its MaxPoolWithArgmax breaks ties to the
 * last maximum, so the positions are found here. Finding them in the same pass as the maxima replaces the MaxPool
 * kernel, the moves to NHWC and back that it needs, and a second search of the windows in the backward pass (the
 * digit CNN's two pools, forward and backward: 12.7 ms against 13.6, best of 60 on a loaded machine; the branch on
 * each value, which the CPU mispredicts, dominates either way). Without a tape the kernel is faster, as nothing
 * needs the positions.
 */
function firstMaximumPool(x: tf.Tensor, axes: [PoolAxis, PoolAxis]): tf.Tensor {
  const outputShape = [...x.shape.slice(0, -2), axes[0].out, axes[1].out];
  return differentiable(([input]) => {
    const { pooled, winners } = firstMaxima(input.dataSync() as Float32Array, axes);
    return {
      value: tf.tensor(pooled, outputShape, input.dtype),
      gradFunc: (dy: tf.Tensor) => tf.tensor(scatter(dy.dataSync() as Float32Array, winners, input.size), input.shape),
    };
  })(x);
}

/**
 * Each window's first maximum in row-major order or last NaN, and its index in `values`, window by window. A
 * function of its own, like scatter, rather than code in firstMaximumPool's closures: an array a closure shares is
 * read through its context, which made this loop 2.5 times slower.
 */
function firstMaxima(values: Float32Array, axes: [PoolAxis, PoolAxis]) {
  return axes.every(isPairwise) ? pairMaxima(values, axes) : windowMaxima(values, axes);
}

/** Windows of two by stride two, without padding, each inside the input (the usual MaxPool2d(2)). */
function isPairwise({ size, kernel, stride, padding, out }: PoolAxis): boolean {
  return kernel === 2 && stride === 2 && padding === 0 && 2 * out <= size;
}

/**
 * firstMaxima for 2×2 windows: Math.max of the four (NaN if one is NaN), then the first of them equal to it, or the
 * last NaN; the value is read back at that index, so a first −0 beside a +0 stays −0. On the digit CNN's first
 * pool ([64, 16, 28, 28]) 3.7–4.4 ms against 6.2–8.3 for the general loop, whose branch on every value the CPU
 * mispredicts (Node 20.20.2, 2-core AMD EPYC).
 */
function pairMaxima(values: Float32Array, [rows, columns]: [PoolAxis, PoolAxis]) {
  const width = columns.size;
  const pooled = new Float32Array((values.length / (rows.size * width)) * rows.out * columns.out);
  const winners = new Int32Array(pooled.length);
  let out = 0;
  for (let plane = 0; plane < values.length; plane += rows.size * width) {
    for (let i = 0; i < rows.out; i++) {
      for (let j = 0, top = plane + 2 * i * width; j < columns.out; j++, out++, top += 2) {
        const bottom = top + width;
        const a = values[top];
        const b = values[top + 1];
        const c = values[bottom];
        const d = values[bottom + 1];
        const max = Math.max(a, b, c, d);
        let best: number;
        if (max === max) best = a === max ? top : b === max ? top + 1 : c === max ? bottom : bottom + 1;
        else best = d !== d ? bottom + 1 : c !== c ? bottom : b !== b ? top + 1 : top;
        pooled[out] = values[best];
        winners[out] = best;
      }
    }
  }
  return { pooled, winners };
}

/** firstMaxima for any windows. */
function windowMaxima(values: Float32Array, [rows, columns]: [PoolAxis, PoolAxis]) {
  const pooled = new Float32Array((values.length / (rows.size * columns.size)) * rows.out * columns.out);
  const winners = new Int32Array(pooled.length);
  const [tops, bottoms] = windowSpans(rows);
  const [lefts, rights] = windowSpans(columns);
  const width = columns.size;
  let out = 0;
  for (let plane = 0; plane < values.length; plane += rows.size * width) {
    for (let i = 0; i < rows.out; i++) {
      for (let j = 0; j < columns.out; j++, out++) {
        let best = plane + tops[i] * width + lefts[j];
        let max = -Infinity;
        for (let r = plane + tops[i] * width, last = plane + bottoms[i] * width; r < last; r += width) {
          for (let c = r + lefts[j], end = r + rights[j]; c < end; c++) {
            if (values[c] > max || values[c] !== values[c]) {
              best = c;
              max = values[c];
            }
          }
        }
        pooled[out] = values[best];
        winners[out] = best;
      }
    }
  }
  return { pooled, winners };
}

/** The input's gradient: each output's upstream gradient added at its window's winner. */
function scatter(upstream: Float32Array, winners: Int32Array, size: number): Float32Array {
  const dx = new Float32Array(size);
  for (let out = 0; out < winners.length; out++) dx[winners[out]] += upstream[out];
  return dx;
}

/** For each window of an axis, the first input cell it covers and the one past its last, its padding left out. */
function windowSpans({ size, kernel, stride, padding, out }: PoolAxis): [Int32Array, Int32Array] {
  const starts = Int32Array.from({ length: out }, (_, i) => i * stride - padding);
  return [starts.map((start) => Math.max(start, 0)), starts.map((start) => Math.min(start + kernel, size))];
}
