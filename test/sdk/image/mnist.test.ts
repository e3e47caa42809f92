import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../sdk/errors';
import { drawText } from '../../../sdk/image/font';
import type { Image } from '../../../sdk/image/image';
import { solid } from '../../../sdk/image/layout';
import { MNIST_BOX, mnistPixels, preprocessMnist } from '../../../sdk/image/mnist';
import { Generator } from '../../../sdk/random';
import { ready } from '../../../sdk/backend';

interface Canvas {
  width: number;
  height: number;
  /** Ink drawn at `at` (top-left), `scale` pixels per glyph pixel. */
  digit: string;
  at: [number, number];
  scale: number;
  /** 'dark': black ink on white; 'light': white on black; 'grey': dark grey on light grey. */
  polarity?: 'dark' | 'light' | 'grey';
  channels?: 1 | 3 | 4;
}

/** A canvas with a digit drawn in the 3×5 glyph font, in the given colours and channel layout. */
function canvas({ width, height, digit, at, scale, polarity = 'dark', channels = 1 }: Canvas): Image {
  const [paper, ink] = { dark: [255, 0], light: [0, 255], grey: [200, 60] }[polarity];
  const grey = solid(width, height, paper, 1);
  drawText(grey, digit, at, { scale, value: ink });
  const data = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < Math.min(channels, 3); c++) data[p * channels + c] = grey.data[p];
    if (channels === 4) data[p * channels + 3] = 255;
  }
  return { width, height, channels, data };
}

/** Centre of mass (column, row) and the bounding box of the non-zero values of a 28×28 plane. */
function measure(values: Float32Array) {
  let [mass, x, y] = [0, 0, 0];
  let [left, top, right, bottom] = [28, 28, -1, -1];
  values.forEach((v, p) => {
    const [col, row] = [p % 28, Math.floor(p / 28)];
    [mass, x, y] = [mass + v, x + v * col, y + v * row];
    if (v > 0) [left, top, right, bottom] = [Math.min(left, col), Math.min(top, row), Math.max(right, col), Math.max(bottom, row)];
  });
  return { centre: [x / mass, y / mass], width: right - left + 1, height: bottom - top + 1 };
}

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).details?.reason as string;
  }
  return undefined;
}

const VARIANTS: Canvas[] = [
  { width: 28, height: 28, digit: '7', at: [8, 4], scale: 4 },
  { width: 200, height: 120, digit: '7', at: [20, 30], scale: 10, polarity: 'light' },
  { width: 64, height: 300, digit: '7', at: [30, 200], scale: 8, polarity: 'grey', channels: 3 },
  { width: 500, height: 500, digit: '7', at: [400, 10], scale: 16, channels: 4 },
];

describe('mnistPixels', () => {
  it.each(VARIANTS)('centres a digit by mass and fits it to 20 pixels: %o', (variant) => {
    const values = mnistPixels(canvas(variant));
    const { centre, width, height } = measure(values);
    expect(Math.abs(centre[0] - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(centre[1] - 14)).toBeLessThanOrEqual(0.5);
    // A 3×5 glyph is taller than wide: its height becomes 20, its width 12 (aspect ratio kept).
    expect([width, height]).toEqual([12, MNIST_BOX]);
    expect(Math.max(...values)).toBe(1);
    expect(Math.min(...values)).toBe(0);
  });

  it('gives the same picture whatever the size, position, polarity and channels', () => {
    const [first, ...others] = VARIANTS.map((variant) => mnistPixels(canvas(variant)));
    for (const other of others) expect(Array.from(other)).toEqual(Array.from(first).map((v) => expect.closeTo(v, 5)));
  });

  it('makes the ink bright whether it was dark or light', () => {
    const dark = mnistPixels(canvas({ width: 40, height: 40, digit: '1', at: [5, 5], scale: 5, polarity: 'dark' }));
    const light = mnistPixels(canvas({ width: 40, height: 40, digit: '1', at: [5, 5], scale: 5, polarity: 'light' }));
    expect(Array.from(light)).toEqual(Array.from(dark));
    // The background (corner) is 0 and the strokes reach 1.
    expect(dark[0]).toBe(0);
    expect(Math.max(...dark)).toBe(1);
  });

  it('reads a stroke drawn on a transparent canvas, black or white', () => {
    for (const ink of [0, 255]) {
      const image = canvas({ width: 60, height: 60, digit: '4', at: [10, 10], scale: 6, channels: 4 });
      for (let p = 0; p < 60 * 60; p++) {
        const drawn = image.data[p * 4] === 0;
        image.data.set(drawn ? [ink, ink, ink, 255] : [0, 0, 0, 0], p * 4);
      }
      const expected = mnistPixels(canvas({ width: 60, height: 60, digit: '4', at: [10, 10], scale: 6 }));
      expect(Array.from(mnistPixels(image))).toEqual(Array.from(expected));
    }
  });

  it('ignores paper texture fainter than the contrast threshold, in grey and in colour alike', () => {
    const variant: Canvas = { width: 80, height: 80, digit: '3', at: [25, 15], scale: 8 };
    const clean = mnistPixels(canvas(variant));
    const random = new Generator(3);
    for (const channels of [1, 3, 4] as const) {
      const image = canvas({ ...variant, channels });
      // ±20 grey levels on the paper (MIN_CONTRAST is 32), the same on every colour channel of a pixel.
      for (let p = 0; p < 80 * 80; p++) {
        const shift = Math.round(40 * random.next() - 20);
        for (let c = 0; c < Math.min(channels, 3); c++) {
          if (image.data[p * channels + c] === 255) image.data[p * channels + c] = 255 - Math.abs(shift);
        }
      }
      expect(Array.from(mnistPixels(image))).toEqual(Array.from(clean).map((v) => expect.closeTo(v, 2)));
    }
  });

  it('keeps the aspect ratio of a wide digit (the longer side becomes 20)', () => {
    const wide = solid(300, 100, 255, 1);
    for (let y = 40; y < 60; y++) for (let x = 20; x < 280; x++) wide.data[y * 300 + x] = 0; // a 260×20 bar
    const { width, height, centre } = measure(mnistPixels(wide));
    expect([width, height]).toEqual([20, 2]);
    expect(centre.map((c) => Math.abs(c - 14) <= 0.5)).toEqual([true, true]);
  });

  it('ignores a speck away from the digit', () => {
    const clean = canvas({ width: 100, height: 100, digit: '2', at: [40, 30], scale: 6 });
    const specked = canvas({ width: 100, height: 100, digit: '2', at: [40, 30], scale: 6 });
    specked.data[5 * 100 + 5] = 0;
    expect(Array.from(mnistPixels(specked))).toEqual(Array.from(mnistPixels(clean)));
  });

  it('leaves MNIST digits as they are, but for the stray marks some carry', () => {
    const mnist = createRequire(import.meta.url)('mnist') as { raw: number[] }[];
    const correlations: number[] = [];
    for (let digit = 0; digit < 10; digit++) {
      for (let i = 0; i < 30; i++) {
        const values = mnist[digit].raw.slice(i * 784, (i + 1) * 784);
        const image: Image = { width: 28, height: 28, channels: 1, data: Uint8Array.from(values, (v) => Math.round(255 * v)) };
        correlations.push(correlation(mnistPixels(image), values));
      }
    }
    // A digit with a speck beside it is re-cropped without the speck, so it moves: a few of 300 may differ.
    expect(correlations.filter((c) => c > 0.99).length).toBeGreaterThanOrEqual(280);
  });

  it('refuses a blank image, a one-pixel image and noise with a reason', () => {
    expect(reasonOf(() => mnistPixels(solid(50, 50, 255)))).toBe('blank');
    expect(reasonOf(() => mnistPixels(solid(1, 1, 0)))).toBe('too_small');
    const random = new Generator(1);
    const noisy = (level: (v: number) => number): Image => ({
      width: 80, height: 80, channels: 1, data: Uint8Array.from({ length: 6400 }, () => level(random.next())),
    });
    expect(reasonOf(() => mnistPixels(noisy((v) => Math.floor(256 * v))))).toBe('noise'); // uniform
    expect(reasonOf(() => mnistPixels(noisy((v) => (v < 0.5 ? 0 : 255))))).toBe('noise'); // black and white
    expect(reasonOf(() => mnistPixels(noisy((v) => (v < 0.05 ? 0 : 255))))).toBe('noise'); // pepper on white
  });
});

describe('preprocessMnist', () => {
  it('is mnistPixels as a [1, 28, 28] tensor', async () => {
    await ready();
    const image = canvas(VARIANTS[1]);
    const tensor = preprocessMnist(image);
    expect(tensor.shape).toEqual([1, 28, 28]);
    expect(Array.from(tensor.dataSync())).toEqual(Array.from(mnistPixels(image)));
    tensor.dispose();
  });
});

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    [ab, aa, bb] = [ab + (a[i] - ma) * (b[i] - mb), aa + (a[i] - ma) ** 2, bb + (b[i] - mb) ** 2];
  }
  return ab / Math.sqrt(aa * bb);
}
