import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { batch, chwToHwc, fromTensor, hwcToChw, solid, toTensor, type Image } from '../../../sdk/image/index';

beforeAll(ready);

/** A 3×2 RGBA image whose samples are 10·pixel + channel. */
const rgba = (): Image => ({
  width: 3,
  height: 2,
  channels: 4,
  data: Uint8Array.from({ length: 24 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)),
});

describe('toTensor', () => {
  it('lays an HWC image out as [C, H, W] floats in [0, 1], like torchvision ToTensor', () => {
    const t = toTensor(rgba());
    expect(t.shape).toEqual([4, 2, 3]);
    expect(t.dtype).toBe('float32');
    const values = t.arraySync() as number[][][];
    expect(values[0][0]).toEqual([0, 10, 20].map((v) => Math.fround(v / 255)));
    expect(values[3][1][2]).toBeCloseTo(53 / 255, 7);
  });

  it('keeps 0–255 with scale 1', () => {
    expect(Array.from(toTensor(rgba(), { scale: 1 }).dataSync().slice(0, 3))).toEqual([0, 10, 20]);
  });

  it('converts to grey with the luma weights 0.2989, 0.587, 0.114 (alpha dropped)', () => {
    const t = toTensor(rgba(), { channels: 1, scale: 1 });
    expect(t.shape).toEqual([1, 2, 3]);
    expect(t.dataSync()[1]).toBeCloseTo(0.2989 * 10 + 0.587 * 11 + 0.114 * 12, 4);
  });

  it('gives each grey value as (0.2989·R + 0.587·G + 0.114·B) / scale in float64, rounded to float32, at any stride', () => {
    for (const channels of [3, 4] as const) {
      const data = Uint8Array.from({ length: 7 * 5 * channels }, (_, i) => (i * 97 + 13) % 256);
      const image: Image = { width: 7, height: 5, channels, data };
      for (const scale of [255, 7]) {
        const expected = Array.from({ length: 35 }, (_, p) => {
          const [r, g, b] = data.subarray(p * channels, p * channels + 3);
          return Math.fround((0.2989 * r + 0.587 * g + 0.114 * b) / scale);
        });
        expect(Array.from(toTensor(image, { channels: 1, scale }).dataSync())).toEqual(expected);
      }
    }
  });

  it('takes the grey of grey + alpha, and each channel / scale when the channels stay', () => {
    const image: Image = { width: 3, height: 1, channels: 2, data: Uint8Array.from([0, 255, 51, 7, 255, 9]) };
    expect(Array.from(toTensor(image, { channels: 1 }).dataSync())).toEqual([0, 51, 255].map((v) => Math.fround(v / 255)));
    expect(Array.from(toTensor(image, { scale: 3 }).dataSync())).toEqual([0, 17, 85, 85, 7 / 3, 3].map(Math.fround));
  });

  it('converts to RGB by dropping alpha, or by repeating grey', () => {
    expect(toTensor(rgba(), { channels: 3 }).shape).toEqual([3, 2, 3]);
    const grey: Image = { width: 2, height: 1, channels: 1, data: Uint8Array.from([51, 102]) };
    expect(Array.from(toTensor(grey, { channels: 3, scale: 1 }).dataSync())).toEqual([51, 102, 51, 102, 51, 102]);
  });
});

describe('fromTensor', () => {
  it('inverts toTensor exactly', () => {
    expect(fromTensor(toTensor(rgba()))).toEqual(rgba());
  });

  it('reads [H, W] as grey and 0–255 values with scale 1, rounding and clamping', () => {
    const image = fromTensor(tf.tensor2d([[-3, 0.4], [254.6, 300]]), { scale: 1 });
    expect(image).toEqual({ width: 2, height: 2, channels: 1, data: Uint8Array.from([0, 0, 255, 255]) });
  });

  it('refuses more than 4 channels', () => {
    expect(() => fromTensor(tf.zeros([5, 2, 2]))).toThrow(ArgumentError);
  });
});

describe('hwcToChw and chwToHwc', () => {
  it('transpose unbatched and batched tensors, and undo each other', () => {
    const hwc = tf.reshape(tf.range(0, 24), [2, 3, 4]);
    const chw = hwcToChw(hwc);
    expect(chw.shape).toEqual([4, 2, 3]);
    expect((chw.arraySync() as number[][][])[1][0]).toEqual([1, 5, 9]);
    expect(chwToHwc(chw).dataSync()).toEqual(hwc.dataSync());
    expect(hwcToChw(tf.zeros([5, 2, 3, 4])).shape).toEqual([5, 4, 2, 3]);
    expect(chwToHwc(tf.zeros([5, 4, 2, 3])).shape).toEqual([5, 2, 3, 4]);
    expect(() => hwcToChw(tf.zeros([2, 3]))).toThrow(/3-D or 4-D/);
  });
});

describe('batch', () => {
  it('adds a batch axis to one image (unsqueeze(0)) and stacks several (torch.stack)', () => {
    expect(batch(tf.zeros([3, 4, 5])).shape).toEqual([1, 3, 4, 5]);
    const stacked = batch([tf.zeros([3, 4, 5]), tf.ones([3, 4, 5])]);
    expect(stacked.shape).toEqual([2, 3, 4, 5]);
    expect(stacked.dataSync()[60]).toBe(1);
  });

  it('refuses images of different sizes, as torch.stack does', () => {
    expect(() => batch([tf.zeros([3, 4, 5]), tf.zeros([3, 4, 6])])).toThrow(
      /stack expects each tensor to be equal size, but got \[3,4,5\] at entry 0 and \[3,4,6\] at entry 1/,
    );
    expect(() => batch([])).toThrow(ArgumentError);
  });
});

describe('solid', () => {
  it('makes all-black and all-white RGB images by default', () => {
    const black = solid(4, 2, 0);
    expect([black.width, black.height, black.channels]).toEqual([4, 2, 3]);
    expect(black.data.every((v) => v === 0)).toBe(true);
    expect(solid(4, 2, 255).data.every((v) => v === 255)).toBe(true);
    expect(solid(1, 1, 255, 1)).toEqual({ width: 1, height: 1, channels: 1, data: Uint8Array.from([255]) });
  });

  it('takes one value per channel', () => {
    expect(Array.from(solid(2, 1, [255, 0, 10]).data)).toEqual([255, 0, 10, 255, 0, 10]);
    expect(() => solid(2, 1, [255, 0])).not.toThrow();
    expect(() => solid(2, 1, 256)).toThrow(/0–255/);
    expect(() => solid(0, 1, 0)).toThrow(/positive integers/);
  });
});
