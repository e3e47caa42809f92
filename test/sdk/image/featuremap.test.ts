import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { decodeImage, encodePng, renderFeatureMaps, type Image } from '../../../sdk/image/index';

beforeAll(ready);

const pixel = (image: Image, x: number, y: number) => image.data[y * image.width + x];

describe('renderFeatureMaps', () => {
  it('tiles 4 maps of 10×12 into a 2×2 grid of the documented size', () => {
    const maps = tf.randomUniform([4, 10, 12]);
    const image = renderFeatureMaps(maps);
    // c = r = 2, text scale 1 so the label strip is 5 + 2 = 7, padding 4.
    expect([image.width, image.height, image.channels]).toEqual([2 * 12 + 3 * 4, 2 * (7 + 10) + 3 * 4, 1]);
    expect(renderFeatureMaps(tf.expandDims(maps, 0)).data).toEqual(image.data);
  });

  it('follows columns, scale and padding', () => {
    const image = renderFeatureMaps(tf.zeros([5, 10, 12]), { columns: 5, scale: 4, padding: 2 });
    // Tiles 48 wide give text scale 1: labels 5·1 + 2 = 7 high.
    expect([image.width, image.height]).toEqual([5 * 48 + 6 * 2, 1 * (7 + 40) + 2 * 2]);
  });

  it('min-max scales each map on its own to 0–255', () => {
    const maps = tf.tensor3d([
      [[-1, 0], [1, 3]],
      [[100, 200], [300, 500]],
    ]);
    const image = renderFeatureMaps(maps, { columns: 2, padding: 0 });
    const top = 7; // label strip
    expect([0, 1].map((x) => pixel(image, x, top))).toEqual([0, 64]);
    expect([0, 1].map((x) => pixel(image, x, top + 1))).toEqual([128, 255]);
    expect([2, 3].map((x) => pixel(image, x, top))).toEqual([0, 64]);
    expect([2, 3].map((x) => pixel(image, x, top + 1))).toEqual([128, 255]);
  });

  it('shows a constant map as mid-grey 128', () => {
    const image = renderFeatureMaps(tf.fill([2, 3, 3], 7), { columns: 2, padding: 0 });
    for (let y = 7; y < 10; y++) for (let x = 0; x < 6; x++) expect(pixel(image, x, y)).toBe(128);
  });

  it('shows a map holding NaN or ±Infinity, wherever it is, as mid-grey 128 and scales the others as usual', () => {
    const maps = tf.tensor3d([
      [[0, 1], [2, NaN]],
      [[NaN, 1], [2, 3]],
      [[0, Infinity], [2, 3]],
      [[0, 1], [-Infinity, 3]],
      [[0, 1], [2, 3]],
    ]);
    const image = renderFeatureMaps(maps, { columns: 5, padding: 0 });
    const row = (y: number) => Array.from({ length: 10 }, (_, x) => pixel(image, x, 7 + y));
    expect([row(0), row(1)]).toEqual([
      [128, 128, 128, 128, 128, 128, 128, 128, 0, 85],
      [128, 128, 128, 128, 128, 128, 128, 128, 170, 255],
    ]);
  });

  it('draws each label in black above its tile', () => {
    const plain = renderFeatureMaps(tf.zeros([2, 8, 8]), { labels: ['', ''] });
    const labelled = renderFeatureMaps(tf.zeros([2, 8, 8]), { labels: ['A_1', 'z9'] });
    const ink = (image: Image) => image.data.filter((v) => v === 0).length;
    // The maps are constant (grey 128), so every black pixel is label ink.
    expect(ink(plain)).toBe(0);
    expect(ink(labelled)).toBeGreaterThan(20);
  });

  it('gives an image encodePng accepts', () => {
    const image = renderFeatureMaps(tf.randomNormal([3, 6, 6]), { scale: 3 });
    expect(decodeImage(encodePng(image))).toEqual(image);
  });

  it('refuses other shapes and a wrong number of labels', () => {
    expect(() => renderFeatureMaps(tf.zeros([2, 3, 4, 4]))).toThrow(ArgumentError);
    expect(() => renderFeatureMaps(tf.zeros([2, 4, 4]), { labels: ['a'] })).toThrow(/1 labels for 2 maps/);
    expect(() => renderFeatureMaps(tf.zeros([2, 4, 4]), { scale: 1.5 })).toThrow(ArgumentError);
  });
});
