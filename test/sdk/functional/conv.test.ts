import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { conv2dCost, resolveConv2dOptions } from '../../../sdk/functional/conv';
import { conv2d, outputSize, type Conv2dOptions, type Conv2dPadding } from '../../../sdk/functional/index';
import { expectClose, fromFixture, torchFixture, type FixtureTensor } from '../../helpers/fixtures';

interface ConvCase {
  name: string;
  input: FixtureTensor;
  weight: FixtureTensor;
  bias: FixtureTensor | null;
  stride: [number, number];
  padding: [number, number] | 'same' | 'full';
  padding_resolved?: [[number, number], [number, number]] | [number, number];
  dilation: [number, number];
  output: FixtureTensor;
}

const { cases } = torchFixture<{ cases: ConvCase[] }>('conv2d.json');

beforeAll(ready);

describe('F.conv2d matches torch.nn.functional.conv2d', () => {
  it.each(cases)('$name', (c) => {
    const bias = c.bias ? fromFixture(c.bias) : undefined;
    const y = conv2d(fromFixture(c.input), fromFixture(c.weight), bias, {
      stride: c.stride,
      padding: c.padding,
      dilation: c.dilation,
    });
    expectClose(y, c.output, { atol: 1e-5, rtol: 1e-5 });
  });

  it.each(cases.filter((c) => c.padding_resolved))('$name: resolves $padding padding as PyTorch', (c) => {
    const [, , kh, kw] = c.weight.shape;
    const { padding } = resolveConv2dOptions([kh, kw], { padding: c.padding, dilation: c.dilation });
    const perSide = (p: number) => [p, p];
    const resolved = c.padding === 'full' ? (c.padding_resolved as number[]).map(perSide) : c.padding_resolved;
    expect(padding).toEqual(resolved);
  });
});

describe('F.conv2d gradients match a direct float64 computation', () => {
  const configs: [string, number[], number[], boolean, Conv2dOptions][] = [
    ['k3 p1 with bias', [2, 3, 6, 7], [4, 3, 3, 3], true, { padding: 1 }],
    ['one input channel (the digit CNN’s first layer)', [3, 1, 6, 5], [4, 1, 3, 3], true, { padding: 1 }],
    ['one input channel, stride 2, dilation 1', [2, 1, 7, 8], [2, 1, 2, 3], false, { stride: 2, padding: [0, 1] }],
    ['stride 2, k4, bottom rows unused', [1, 2, 8, 9], [3, 2, 4, 4], true, { stride: 2 }],
    ["'same' with an even kernel", [1, 2, 5, 6], [2, 2, 2, 4], false, { padding: 'same' }],
    ['dilation 2', [1, 2, 9, 8], [2, 2, 3, 3], true, { padding: [1, 2], dilation: 2 }],
    ['stride and dilation both above 1', [2, 1, 11, 10], [2, 1, 3, 2], true, { stride: [2, 3], padding: 1, dilation: 2 }],
    ['unbatched', [3, 5, 5], [2, 3, 3, 3], true, { padding: 'full' }],
  ];

  it.each(configs)('%s', (_, xShape, wShape, bias, options) => {
    const x = tf.randomUniform(xShape, -1, 1, 'float32', 1);
    const w = tf.randomUniform(wShape, -1, 1, 'float32', 2);
    const b = bias ? tf.randomUniform([wShape[0]], -1, 1, 'float32', 3) : undefined;
    const resolved = resolveConv2dOptions([wShape[2], wShape[3]], options);
    const reference = directConv(x, w, b, resolved);
    const upstream = tf.randomUniform(reference.shape, -1, 1, 'float32', 4);
    const f = (...args: tf.Tensor[]) => conv2d(args[0], args[1], args[2], options);
    const grads = tf.grads(f)(b ? [x, w, b] : [x, w], upstream);
    const expected = directConvGrads(x, w, upstream, resolved);
    expectClose(conv2d(x, w, b, options), reference, { atol: 1e-5, rtol: 1e-5 });
    expectClose(grads[0], expected.x, { atol: 1e-4, rtol: 1e-5 });
    expectClose(grads[1], expected.w, { atol: 1e-4, rtol: 1e-5 });
    if (b) expectClose(grads[2], expected.b, { atol: 1e-4, rtol: 1e-5 });
  });
});

describe('F.conv2d refuses what PyTorch refuses, with its wording', () => {
  // Made on call: the backend starts in beforeAll, after describe bodies run.
  const x = () => tf.zeros([1, 3, 5, 5]);
  const w = () => tf.zeros([2, 3, 3, 3]);
  const refusals: [string, () => unknown, RegExp][] = [
    [
      'a channel mismatch',
      () => conv2d(tf.zeros([1, 4, 5, 5]), w()),
      /^Given groups=1, weight of size \[2, 3, 3, 3\], expected input\[1, 4, 5, 5\] to have 3 channels, but got 4 channels instead$/,
    ],
    [
      'a kernel larger than the padded input',
      () => conv2d(tf.zeros([1, 3, 2, 2]), w()),
      /^Calculated padded input size per channel: \(2 x 2\)\. Kernel size: \(3 x 3\)\. Kernel size can't be greater than actual input size$/,
    ],
    ['a dilated kernel larger than the input', () => conv2d(x(), w(), undefined, { dilation: 3 }), /Kernel size: \(7 x 7/],
    ['a zero stride', () => conv2d(x(), w(), undefined, { stride: [1, 0] }), /^non-positive stride is not supported$/],
    ['a zero dilation', () => conv2d(x(), w(), undefined, { dilation: 0 }), /^dilation should be greater than zero$/],
    ['negative padding', () => conv2d(x(), w(), undefined, { padding: [-1, 0] }), /^negative padding is not supported$/],
    ['a fractional stride', () => conv2d(x(), w(), undefined, { stride: 1.5 }), /stride must be an integer or a pair/],
    [
      "'same' with a stride",
      () => conv2d(x(), w(), undefined, { stride: 2, padding: 'same' }),
      /^padding='same' is not supported for strided convolutions$/,
    ],
    [
      'an unknown padding mode',
      () => conv2d(x(), w(), undefined, { padding: 'reflect' as Conv2dPadding }),
      /^Invalid padding string 'reflect', should be one of \{'valid', 'same', 'full'\}$/,
    ],
    [
      'a 2-D input',
      () => conv2d(tf.zeros([5, 5]), w()),
      /^Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[5, 5\]$/,
    ],
    ['a 3-D weight', () => conv2d(x(), tf.zeros([3, 3, 3])), /expects a 4D weight .* got weight of size: \[3, 3, 3\]/],
    [
      'a bias of the wrong size',
      () => conv2d(x(), w(), tf.zeros([3])),
      /^Given weight of size \[2, 3, 3, 3\], expected bias to be 1-dimensional with 2 elements, but got bias of size \[3\] instead$/,
    ],
  ];

  it.each(refusals)('%s', (_, call, message) => {
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(message);
  });
});

describe('F.outputSize', () => {
  it('is ⌊(size + 2P − D(K − 1) − 1)/S⌋ + 1', () => {
    expect(outputSize(224, 3, { stride: 2 })).toBe(111);
    expect(outputSize(7, 3, { padding: 1 })).toBe(7);
    expect(outputSize(11, 3, { dilation: 2 })).toBe(7);
    expect(outputSize(11, 5, { stride: 2, padding: 1 })).toBe(5);
    expect(outputSize(2, 3)).toBe(0);
  });

  it('rounds up in ceil mode, dropping a last window that would start in the padding', () => {
    expect(outputSize(5, 2, { stride: 2 })).toBe(2);
    expect(outputSize(5, 2, { stride: 2, ceilMode: true })).toBe(3);
    expect(outputSize(6, 3, { stride: 2, padding: 1, ceilMode: true })).toBe(4);
    // ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the 4th window would start at 3·2 − 1 = 5, in the padding.
    expect(outputSize(5, 2, { stride: 2, padding: 1, ceilMode: true })).toBe(3);
  });

  it('refuses a zero stride or a negative padding', () => {
    expect(() => outputSize(5, 2, { stride: 0 })).toThrow(/stride must be an integer ≥ 1/);
    expect(() => outputSize(5, 2, { padding: -1 })).toThrow(/padding must be an integer ≥ 0/);
  });
});

type Resolved = ReturnType<typeof resolveConv2dOptions>;

/** PyTorch's definition in float64 loops: y[n,o,p,q] = b[o] + Σ x_padded[n,i,p·sh + a·dh, q·sw + b·dw]·w[o,i,a,b]. */
function directConv(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | undefined, options: Resolved): FixtureTensor {
  const g = geometry(x, w, options);
  const out = new Float64Array(g.n * g.o * g.ho * g.wo);
  const bias = b?.dataSync();
  forEachTap(g, (n, o, p, q, xIndex, wIndex) => {
    out[((n * g.o + o) * g.ho + p) * g.wo + q] += g.xs[xIndex] * g.ws[wIndex];
  });
  if (bias) out.forEach((_, i) => (out[i] += bias[Math.floor(i / (g.ho * g.wo)) % g.o]));
  return { shape: x.rank === 4 ? [g.n, g.o, g.ho, g.wo] : [g.o, g.ho, g.wo], data: Array.from(out) };
}

function directConvGrads(x: tf.Tensor, w: tf.Tensor, upstream: tf.Tensor, options: Resolved) {
  const g = geometry(x, w, options);
  const dy = upstream.dataSync();
  const dx = new Float64Array(x.size);
  const dw = new Float64Array(w.size);
  const db = new Float64Array(g.o);
  forEachTap(g, (n, o, p, q, xIndex, wIndex) => {
    const d = dy[((n * g.o + o) * g.ho + p) * g.wo + q];
    dx[xIndex] += d * g.ws[wIndex];
    dw[wIndex] += d * g.xs[xIndex];
  });
  dy.forEach((d, i) => (db[Math.floor(i / (g.ho * g.wo)) % g.o] += d));
  return {
    x: { shape: x.shape, data: Array.from(dx) },
    w: { shape: w.shape, data: Array.from(dw) },
    b: { shape: [g.o], data: Array.from(db) },
  };
}

function geometry(x: tf.Tensor, w: tf.Tensor, { stride, dilation, padding }: Resolved) {
  const [n, c, h, width] = x.rank === 4 ? x.shape : [1, ...x.shape];
  const [o, , kh, kw] = w.shape;
  const ho = Math.floor((h + padding[0][0] + padding[0][1] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
  const wo = Math.floor((width + padding[1][0] + padding[1][1] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
  return { n, c, h, width, o, kh, kw, ho, wo, stride, dilation, padding, xs: x.dataSync(), ws: w.dataSync() };
}

/** Calls `visit` for every (output position, input cell, weight) product that lands inside the unpadded input. */
function forEachTap(
  g: ReturnType<typeof geometry>,
  visit: (n: number, o: number, p: number, q: number, xIndex: number, wIndex: number) => void,
): void {
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.o; o++)
      for (let p = 0; p < g.ho; p++)
        for (let q = 0; q < g.wo; q++)
          for (let i = 0; i < g.c; i++)
            for (let a = 0; a < g.kh; a++)
              for (let b = 0; b < g.kw; b++) {
                const row = p * g.stride[0] + a * g.dilation[0] - g.padding[0][0];
                const col = q * g.stride[1] + b * g.dilation[1] - g.padding[1][0];
                if (row < 0 || row >= g.h || col < 0 || col >= g.width) continue;
                visit(n, o, p, q, ((n * g.c + i) * g.h + row) * g.width + col, ((o * g.c + i) * g.kh + a) * g.kw + b);
              }
}

describe('conv2dCost prices conv2d before it runs', () => {
  it.each(cases)('$name: the output shape conv2d gives, and output × Cin × kh × kw multiply-adds', (c) => {
    const options = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const cost = conv2dCost(c.input.shape, c.weight.shape, options, c.bias?.shape);
    const [, inChannels, kh, kw] = c.weight.shape;
    expect(cost.outputShape).toEqual(c.output.shape);
    expect(cost.multiplyAdds).toBe(c.output.data.length * inChannels * kh * kw);
    expect(cost.largestTensor).toBeGreaterThanOrEqual(c.output.data.length);
  });

  it('raises the ArgumentError conv2d raises', () => {
    expect(() => conv2dCost([1, 4, 5, 5], [2, 3, 3, 3])).toThrow(/expected input\[1, 4, 5, 5\] to have 3 channels/);
    expect(() => conv2dCost([1, 3, 2, 2], [2, 3, 3, 3])).toThrow(ArgumentError);
  });

  it('with stride and dilation both above 1, allocates about what the few outputs need, never the dense convolution', async () => {
    const x = tf.randomUniform([1, 1, 12, 16]);
    const w = tf.randomUniform([1, 1, 3, 3]);
    const options = { padding: 8000, dilation: 2, stride: 16000 };
    let y: tf.Tensor | undefined;
    const bytesBefore = tf.memory().numBytes;
    const profile = await tf.profile(() => {
      y = conv2d(x, w, undefined, options);
      return y;
    });
    expect(y!.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y!.dataSync())).toEqual([0, 0, 0, 0]);
    // The dense stride-1 output alone would be 16 012 × 16 016 floats (about 1 GB).
    expect(profile.peakBytes - bytesBefore).toBeLessThan(64 * 1024);
    tf.dispose([x, w, y!]);
  });
});
