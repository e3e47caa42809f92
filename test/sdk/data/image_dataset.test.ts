import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { DataLoader, ImageDataset } from '../../../sdk/data/index';
import { ArgumentError } from '../../../sdk/errors';
import { randomShift } from '../../../sdk/image/transforms';
import { fit } from '../../../sdk/train/fit';
import { evaluate } from '../../../sdk/train/evaluate';
import { Linear } from '../../../sdk/nn/linear';
import { Flatten } from '../../../sdk/nn/flatten';
import { Sequential } from '../../../sdk/nn/sequential';
import { Adam } from '../../../sdk/optim/adam';

beforeAll(ready);

/** Image i is 2×2 with every pixel i + 1, labelled i % 2. */
function fourImages(options?: ConstructorParameters<typeof ImageDataset>[2]): ImageDataset {
  const images = Array.from({ length: 4 }, (_, i) => Array(4).fill(i + 1));
  return ImageDataset.fromArrays(images, [0, 1, 0, 1], [1, 2, 2], options);
}

describe('ImageDataset', () => {
  it('stacks arrays into [N, C, H, W] images with int32 labels and default class names', () => {
    const dataset = fourImages();
    expect(dataset.x.shape).toEqual([4, 1, 2, 2]);
    expect(dataset.y.dtype).toBe('int32');
    expect(dataset.classes).toEqual(['0', '1']);
    expect(Array.from(dataset.get(2).x.dataSync())).toEqual([3, 3, 3, 3]);
  });

  it('refuses an image of the wrong size, too few labels, and a label without a class', () => {
    expect(() => ImageDataset.fromArrays([[1, 2, 3]], [0], [1, 2, 2])).toThrow(/image 0 has 3 values; \[1,2,2\] needs 4/);
    expect(() => ImageDataset.fromArrays([[1, 2, 3, 4]], [], [1, 2, 2])).toThrow(ArgumentError);
    expect(() => ImageDataset.fromArrays([[1, 2, 3, 4]], [2], [1, 2, 2], { classes: ['a', 'b'] })).toThrow(
      /label 2 at sample 0 names none of the 2 classes/,
    );
  });

  it('augments every batch a DataLoader reads, differently each epoch, and never the stored x', () => {
    const dataset = fourImages({ augment: randomShift(1, { seed: 0 }) });
    const loader = new DataLoader(dataset, { batchSize: 4 });
    const epochs = Array.from({ length: 3 }, () => Array.from(loader, ({ x }) => Array.from(x.dataSync()).join()));
    // A shifted 2×2 image keeps 1, 2 or 4 of its pixels: some batch must have lost one to the zero fill.
    expect(epochs.flat().some((batch) => batch.includes('0'))).toBe(true);
    expect(new Set(epochs.flat()).size).toBeGreaterThan(1);
    expect(Array.from(dataset.x.dataSync())).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
  });

  it('trains with train.fit and scores with train.evaluate', async () => {
    // Bright images are class 1, dark ones class 0; a shift by one pixel keeps them apart.
    const images = Array.from({ length: 32 }, (_, i) => Array(16).fill(i % 2 ? 0.9 : 0.1));
    const labels = Array.from({ length: 32 }, (_, i) => i % 2);
    const dataset = ImageDataset.fromArrays(images, labels, [1, 4, 4], { augment: randomShift(1, { seed: 1 }) });
    const model = new Sequential(new Flatten(), new Linear(16, 2));
    const history = await fit(model, dataset, { optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs: 20, batchSize: 8 });
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
    expect(evaluate(model, dataset).accuracy).toBe(1);
  });
});
