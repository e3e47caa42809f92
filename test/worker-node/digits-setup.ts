// Part of the worker project's globalSetup (Node): held-out MNIST digits drawn as a user would send them (scaled up
// 3×, dark ink on white, and one in three as light ink on black, as PNG), with what the SDK's own bundle answers for
// the same bytes. test/worker/digits.test.ts expects the Worker to answer the same.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { load } from '../../sdk/bundle/load';
import { imageToInput } from '../../sdk/bundle/image-input';
import { encodePng } from '../../sdk/image/codec';
import type { DigitsCase } from '../worker/provided';

const PER_CLASS = 3;
const SCALE = 3;

export async function provideDigits(project: TestProject): Promise<void> {
  const mnist = createRequire(import.meta.url)('mnist') as { raw: number[] }[];
  const bundle = await load(path.join(project.config.root, 'worker/models/digits'));
  try {
    const input = bundle.manifest.version === 2 ? bundle.manifest.input : undefined;
    if (input?.kind !== 'image') throw new Error('worker/models/digits is not an image model');
    const cases: DigitsCase['cases'] = [];
    for (let digit = 0; digit < 10; digit++) {
      const count = mnist[digit].raw.length / 784;
      for (let k = 0; k < PER_CLASS; k++) {
        const pixels = mnist[digit].raw.slice((count - 1 - k) * 784, (count - k) * 784); // the held-out end
        const png = encodePng(drawn(pixels, (digit + k) % 3 === 0));
        const x = imageToInput(png, input);
        const seen = Array.from(x.dataSync());
        const [prediction] = bundle.predictImages(x, true);
        cases.push({ digit, png: Buffer.from(png).toString('base64'), input: seen, expected: prediction });
      }
    }
    project.provide('digits', { cases });
  } finally {
    bundle.dispose();
  }
}

/** The 28×28 digit (ink 1) scaled up SCALE× as an RGB picture: dark ink on white, or light ink on black. */
function drawn(pixels: number[], lightInk: boolean) {
  const side = 28 * SCALE;
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const ink = pixels[Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)];
      data.fill(Math.round(255 * (lightInk ? ink : 1 - ink)), (y * side + x) * 3, (y * side + x) * 3 + 3);
    }
  }
  return { width: side, height: side, channels: 3 as const, data };
}
