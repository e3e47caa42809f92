import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { compose, normalize, randomCrop, randomShift, toTensor } from '../../../sdk/image/transforms';

beforeAll(ready);

/** A [1, 3, 3] image holding 1…9 row by row, so a crop shows which window it took. */
const nine = () => tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3]);

describe('toTensor', () => {
  it('turns HWC bytes into CHW floats in [0, 1]', () => {
    const image = { width: 2, height: 1, channels: 3 as const, data: Uint8Array.from([255, 0, 51, 0, 102, 255]) };
    const t = toTensor()(image);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(Array.from(t.dataSync())).toEqual([1, 0, 0, 0.4, 0.2, 1].map((v) => expect.closeTo(v, 6)));
  });
});

describe('normalize', () => {
  it('subtracts the mean and divides by the std of each channel, batched or not', () => {
    const x = tf.tensor3d([1, 3, 10, 20], [2, 1, 2]);
    expect(Array.from(normalize([1, 10], [2, 5])(x).dataSync())).toEqual([0, 1, 0, 2]);
    expect(normalize([1, 10], [2, 5])(tf.expandDims(x, 0)).shape).toEqual([1, 2, 1, 2]);
    expect(Array.from(normalize(0.5, 0.5)(tf.tensor3d([0, 1], [1, 1, 2])).dataSync())).toEqual([-1, 1]);
  });

  it('refuses a zero std and a mismatched channel count', () => {
    expect(() => normalize(0, 0)).toThrow(ArgumentError);
    expect(() => normalize([0, 0, 0], [1, 1, 1])(nine())).toThrow(/3 mean values for a tensor of 1 channels/);
  });
});

describe('randomCrop', () => {
  it('cuts windows at every position of the padded image, reproducibly for a seed', () => {
    const seen = new Set<string>();
    const crop = randomCrop(3, { padding: 1, seed: 7 });
    const again = randomCrop(3, { padding: 1, seed: 7 });
    for (let i = 0; i < 200; i++) {
      const [a, b] = [crop(nine()), again(nine())];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      seen.add(Array.from(a.dataSync()).join());
    }
    // 3×3 windows of a 5×5 padded image: 9 positions; the centred one is the image itself.
    expect(seen.size).toBe(9);
    expect(seen).toContain('1,2,3,4,5,6,7,8,9');
    expect(seen).toContain('0,0,0,0,1,2,0,4,5'); // top-left: padding above and to the left
    expect(seen).toContain('5,6,0,8,9,0,0,0,0'); // bottom-right
  });

  it('fills the padding with `fill` and takes [left/right, top/bottom] padding', () => {
    const shapes = new Set<string>();
    const crop = randomCrop([3, 5], { padding: [1, 0], fill: -1, seed: 1 });
    for (let i = 0; i < 50; i++) shapes.add(Array.from(crop(nine()).dataSync()).join());
    expect([...shapes]).toEqual(['-1,1,2,3,-1,-1,4,5,6,-1,-1,7,8,9,-1']);
  });

  it('draws a window per image of a batch', () => {
    const batch = tf.stack(Array.from({ length: 64 }, nine)) as tf.Tensor4D;
    const out = randomCrop(3, { padding: 2, seed: 3 })(batch);
    expect(out.shape).toEqual([64, 1, 3, 3]);
    const images = new Set(tf.unstack(out).map((t) => Array.from(t.dataSync()).join()));
    expect(images.size).toBeGreaterThan(10);
  });

  it('refuses a window larger than the padded image', () => {
    expect(() => randomCrop(4)(nine())).toThrow(/4×4 window is larger than the padded 3×3 image/);
  });
});

describe('randomShift', () => {
  it('moves the image by at most maxShift pixels, keeping its size and its values', () => {
    const shift = randomShift(1, { seed: 5 });
    const moved = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const out = shift(nine());
      expect(out.shape).toEqual([1, 3, 3]);
      moved.add(Array.from(out.dataSync()).join());
    }
    expect(moved.size).toBe(9);
    expect(moved).toContain('0,1,2,0,4,5,0,7,8'); // one pixel right
  });
});

describe('compose', () => {
  it('applies the transforms in order and frees the intermediate tensors, not the input', () => {
    const input = nine();
    const before = tf.memory().numTensors;
    const out = compose([normalize(1, 2), normalize(0, 0.5)])(input);
    expect(Array.from(out.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(input.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  it('starts from an image with toTensor', () => {
    const image = { width: 1, height: 1, channels: 1 as const, data: Uint8Array.from([255]) };
    expect(Array.from(compose([toTensor(), normalize(0.5, 0.5)])(image).dataSync())).toEqual([1]);
  });
});
