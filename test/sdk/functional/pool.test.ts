import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../../sdk/random';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { avgPool2d, maxPool2d, outputSize, type AvgPool2dOptions } from '../../../sdk/functional/index';
import { expectClose, fromFixture, torchFixture, type FixtureTensor } from '../../helpers/fixtures';

interface PoolCase {
  name: string;
  mode: 'max' | 'avg';
  input: FixtureTensor;
  kernel_size: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceil_mode: boolean;
  count_include_pad?: boolean;
  output: FixtureTensor;
}

interface CourseExample {
  name: string;
  module: 'MaxPool2d' | 'AvgPool2d';
  config: Pick<PoolCase, 'kernel_size' | 'stride' | 'padding' | 'ceil_mode' | 'count_include_pad'>;
  input: FixtureTensor;
  output: FixtureTensor;
}

const { cases } = torchFixture<{ cases: PoolCase[] }>('pool.json');
const { examples } = torchFixture<{ examples: CourseExample[] }>('pool_course.json');

beforeAll(ready);

/** maxPool2d's output when called on a gradient tape. */
function recordedMaxPool(x: tf.Tensor, options: AvgPool2dOptions): tf.Tensor {
  let y: tf.Tensor | undefined;
  tf.grad((input: tf.Tensor) => (y = tf.keep(maxPool2d(input, options))))(x);
  return y!;
}

function run(mode: 'max' | 'avg', x: tf.Tensor, options: AvgPool2dOptions): tf.Tensor {
  return mode === 'max' ? maxPool2d(x, options) : avgPool2d(x, options);
}

/** Max pooling must be exact: it only picks values. Average pooling may differ from PyTorch's sum/count by rounding. */
function expectPooled(mode: 'max' | 'avg', actual: tf.Tensor, expected: FixtureTensor): void {
  if (mode === 'max') {
    expect(actual.shape).toEqual(expected.shape);
    expect(Array.from(actual.dataSync())).toEqual(expected.data);
  } else {
    expectClose(actual, expected, { atol: 1e-6, rtol: 0 });
  }
}

describe('F.maxPool2d and F.avgPool2d match PyTorch', () => {
  it.each(cases)('$name', (c) => {
    const options = {
      kernelSize: c.kernel_size,
      stride: c.stride,
      padding: c.padding,
      ceilMode: c.ceil_mode,
      countIncludePad: c.count_include_pad,
    };
    expectPooled(c.mode, run(c.mode, fromFixture(c.input), options), c.output);
  });

  it.each(examples)('course example $name', ({ module, config, input, output }) => {
    const mode = module === 'MaxPool2d' ? 'max' : 'avg';
    const options = {
      kernelSize: config.kernel_size,
      stride: config.stride,
      padding: config.padding,
      ceilMode: config.ceil_mode,
      countIncludePad: config.count_include_pad,
    };
    expectPooled(mode, run(mode, fromFixture(input), options), output);
  });

  // While a tape records, max pooling finds its maxima in a pass of its own (with their positions, for the backward).
  it.each(cases.filter((c) => c.mode === 'max'))('$name, while a tape records', (c) => {
    const options = { kernelSize: c.kernel_size, stride: c.stride, padding: c.padding, ceilMode: c.ceil_mode };
    expectPooled('max', recordedMaxPool(fromFixture(c.input), options), c.output);
  });

  it('keeps NaN, −∞ and the sign of a first zero while a tape records, as PyTorch does', () => {
    // torch: F.max_pool2d(torch.tensor([[[[1., nan, -inf, -inf, -0., 0.], [nan, 2., -inf, -inf, 0., 0.]]]]), 2)
    const x = tf.tensor4d([1, NaN, -Infinity, -Infinity, -0, 0, NaN, 2, -Infinity, -Infinity, 0, 0], [1, 1, 2, 6]);
    const y = Array.from(recordedMaxPool(x, { kernelSize: 2 }).dataSync());
    expect(y).toEqual([NaN, -Infinity, -0]);
    expect(Object.is(y[2], -0)).toBe(true);
  });

  it('defaults the stride to the kernel size', () => {
    const x = tf.reshape(tf.range(0, 36), [1, 1, 6, 6]);
    expect(maxPool2d(x, { kernelSize: 3 }).shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(maxPool2d(x, { kernelSize: 3 }).dataSync())).toEqual([14, 17, 32, 35]);
  });
});

describe('pooling gradients follow PyTorch', () => {
  it('sends a max window’s gradient to its first maximum in row-major order (ties included)', () => {
    // torch: F.max_pool2d(torch.zeros(1,1,4,4), 2, 1).sum().backward() gives ones on the top-left 3×3.
    const dx = tf.grad((x: tf.Tensor) => maxPool2d(x, { kernelSize: 2, stride: 1 }))(tf.zeros([1, 1, 4, 4]));
    expect(Array.from(dx.dataSync())).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('sends a window’s gradient to its last NaN', () => {
    // torch: x = torch.tensor([[[[1., nan], [nan, 2.]]]], requires_grad=True); F.max_pool2d(x, 2).sum().backward()
    const dx = tf.grad((x: tf.Tensor) => maxPool2d(x, { kernelSize: 2 }))(tf.tensor4d([1, NaN, NaN, 2], [1, 1, 2, 2]));
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 1, 0]);
  });

  it('sends a 2×2 window’s gradient to its first maximum (ties, zeros of either sign) or its last NaN', () => {
    // torch: x = torch.tensor([[[[5., 5, 1, 3, -0., 0, nan, 1], [1, 1, 3, 0, 0, -0., nan, 2]]]], requires_grad=True)
    // F.max_pool2d(x, 2) is [5, 3, -0., nan]; .sum().backward() puts 1 at (0,0), (0,3), (0,4), (1,6).
    const x = tf.tensor4d([5, 5, 1, 3, -0, 0, NaN, 1, 1, 1, 3, 0, 0, -0, NaN, 2], [1, 1, 2, 8]);
    const y = Array.from(recordedMaxPool(x, { kernelSize: 2 }).dataSync());
    expect(y).toEqual([5, 3, -0, NaN]);
    expect(Object.is(y[2], -0)).toBe(true);
    const dx = tf.grad((input: tf.Tensor) => maxPool2d(input, { kernelSize: 2 }))(x);
    expect(Array.from(dx.dataSync())).toEqual([1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('finds the same maxima and positions for 2×2 windows as for windows in general', () => {
    // A 7-wide map: in floor mode every window is a pair of pairs (the 2×2 pass); in ceil mode a last partial window
    // sends the whole map through the general pass, whose first three columns of windows are the same.
    const levels = new Generator(31).uniform(2 * 3 * 6 * 7, 0, 4).map(Math.floor);
    const x = tf.tensor4d(levels, [2, 3, 6, 7]);
    const floor = recordedMaxPool(x, { kernelSize: 2 });
    const ceil = recordedMaxPool(x, { kernelSize: 2, ceilMode: true });
    expect(Array.from(floor.dataSync())).toEqual(Array.from(tf.slice(ceil, [0, 0, 0, 0], [2, 3, 3, 3]).dataSync()));
    const upstream = tf.randomUniform([2, 3, 3, 3]);
    const gradient = (ceilMode: boolean, dy: tf.Tensor) =>
      tf.grad((input: tf.Tensor) => maxPool2d(input, { kernelSize: 2, ceilMode }))(x, dy);
    const wide = tf.pad(upstream, [[0, 0], [0, 0], [0, 0], [0, 1]]); // nothing from the partial column
    expect(Array.from(gradient(false, upstream).dataSync())).toEqual(Array.from(gradient(true, wide).dataSync()));
  });

  it('never sends gradient into the padding', () => {
    // torch: F.max_pool2d(-torch.ones(1,1,5,5), 3, 2, padding=1, ceil_mode=True).sum().backward()
    const dx = tf.grad((x: tf.Tensor) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }))(
      tf.fill([1, 1, 5, 5], -1),
    );
    expect(Array.from(dx.dataSync())).toEqual([1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  const configs: [string, 'max' | 'avg', number[], AvgPool2dOptions][] = [
    ['max k3 s2 p1 ceil', 'max', [2, 3, 6, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
    ['max k2x3 s1x2 unbatched', 'max', [2, 5, 7], { kernelSize: [2, 3], stride: [1, 2] }],
    ['max k3 s1 p1, heavily overlapping', 'max', [1, 2, 5, 6], { kernelSize: 3, stride: 1, padding: 1 }],
    ['avg k3 s1, heavily overlapping', 'avg', [1, 2, 5, 6], { kernelSize: 3, stride: 1 }],
    ['avg k3 s2 p1 include pad', 'avg', [1, 2, 6, 7], { kernelSize: 3, stride: 2, padding: 1 }],
    [
      'avg k3 s2 p1 ceil exclude pad',
      'avg',
      [2, 2, 6, 6],
      { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false },
    ],
    ['avg k2 s2 ceil, window past the edge', 'avg', [1, 1, 5, 5], { kernelSize: 2, ceilMode: true }],
  ];

  it.each(configs)('%s: forward and backward against a direct float64 computation', (_, mode, shape, options) => {
    const x = tf.randomUniform(shape, -1, 1, 'float32', 7);
    const expected = directPool(mode, x, options);
    const upstream = tf.randomUniform(expected.output.shape, -1, 1, 'float32', 8);
    const dx = tf.grad((input: tf.Tensor) => run(mode, input, options))(x, upstream);
    expectPooled(mode, run(mode, x, options), expected.output);
    expectClose(dx, expected.gradient(upstream.dataSync()), { atol: 1e-6, rtol: 1e-6 });
  });
});

describe('pooling refuses what PyTorch refuses, with its wording', () => {
  const input = () => tf.zeros([1, 1, 5, 5]);
  const refusals: [string, () => unknown, RegExp][] = [
    [
      'padding over half the kernel',
      () => maxPool2d(input(), { kernelSize: 3, padding: 2 }),
      /^pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1$/,
    ],
    [
      'padding over half the kernel (avg)',
      () => avgPool2d(input(), { kernelSize: [2, 4], padding: [2, 1] }),
      /pad should be at most half of effective kernel size, but got pad=2, kernel_size=2/,
    ],
    ['a zero kernel', () => maxPool2d(input(), { kernelSize: [0, 2] }), /kernel size should be greater than zero, but got kH: 0/],
    ['a zero stride', () => avgPool2d(input(), { kernelSize: 2, stride: 0 }), /stride should be greater than zero/],
    ['negative padding', () => avgPool2d(input(), { kernelSize: 2, padding: -1 }), /negative padding is not supported/],
    ['a 2-D input', () => maxPool2d(tf.zeros([5, 5]), { kernelSize: 2 }), /non-empty 3D or 4D \(batch mode\) tensor expected/],
    [
      'an input smaller than the kernel',
      () => maxPool2d(tf.zeros([1, 3, 2, 2]), { kernelSize: 3 }),
      /Given input size: \(3x2x2\)\. Calculated output size: \(3x0x0\)\. Output size is too small/,
    ],
  ];

  it.each(refusals)('%s', (_, call, message) => {
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(message);
  });
});

/**
 * PyTorch's pooling loops in float64: each window is [i·s − p, i·s − p + k) clipped to the padded input; max takes
 * the first largest real cell; avg divides the sum of real cells by the clipped window (countIncludePad) or by the
 * real cells.
 */
function directPool(mode: 'max' | 'avg', x: tf.Tensor, options: AvgPool2dOptions) {
  const { kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true } = options;
  const pair = (v: number | readonly [number, number]) => (typeof v === 'number' ? [v, v] : v);
  const [kh, kw] = pair(kernelSize);
  const [sh, sw] = pair(stride);
  const [ph, pw] = pair(padding);
  const [h, w] = x.shape.slice(-2);
  const planes = x.size / (h * w);
  const ho = outputSize(h, kh, { stride: sh, padding: ph, ceilMode });
  const wo = outputSize(w, kw, { stride: sw, padding: pw, ceilMode });
  const xs = x.dataSync();
  const out = new Float64Array(planes * ho * wo);
  const routes: { cells: number[]; weight: number }[] = [];
  for (let plane = 0; plane < planes; plane++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        const [r0, c0] = [i * sh - ph, j * sw - pw];
        const [r1, c1] = [Math.min(r0 + kh, h + ph), Math.min(c0 + kw, w + pw)];
        const cells: number[] = [];
        for (let r = Math.max(r0, 0); r < Math.min(r1, h); r++)
          for (let c = Math.max(c0, 0); c < Math.min(c1, w); c++) cells.push(plane * h * w + r * w + c);
        const index = (plane * ho + i) * wo + j;
        if (mode === 'max') {
          const first = cells.reduce((best, cell) => (xs[cell] > xs[best] ? cell : best));
          out[index] = xs[first];
          routes.push({ cells: [first], weight: 1 });
        } else {
          const divisor = countIncludePad ? (r1 - r0) * (c1 - c0) : cells.length;
          out[index] = cells.reduce((sum, cell) => sum + xs[cell], 0) / divisor;
          routes.push({ cells, weight: 1 / divisor });
        }
      }
  const outShape = [...x.shape.slice(0, -2), ho, wo];
  return {
    output: { shape: outShape, data: Array.from(out) },
    gradient(dy: ArrayLike<number>): FixtureTensor {
      const dx = new Float64Array(x.size);
      routes.forEach(({ cells, weight }, index) => cells.forEach((cell) => (dx[cell] += dy[index] * weight)));
      return { shape: x.shape, data: Array.from(dx) };
    },
  };
}
