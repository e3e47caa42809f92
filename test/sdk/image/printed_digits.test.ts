// The served digits model on printed digits (scripts/fixtures/make_printed_digits.py: six fonts, three sizes, random
// places and canvas sizes, both polarities), through MNIST's preprocessing: what a user sends is not MNIST's own
// handwriting. 118 of the 120 were right when this test was written (both misses a bold serif 4).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { imageToInput } from '../../../sdk/bundle/image-input';
import { load } from '../../../sdk/bundle/load';
import { repoRoot } from '../../helpers/fixtures';

const folder = path.join(repoRoot, 'test/fixtures/printed-digits');
const files = readdirSync(folder).filter((file) => file.endsWith('.png'));

beforeAll(ready);

describe('worker/models/digits on printed digits', () => {
  it('classifies at least 95 % of the 120, in both polarities', async () => {
    const bundle = await load(path.join(repoRoot, 'worker/models/digits'));
    const input = bundle.input;
    if (input.kind !== 'image') throw new Error('the digits bundle is not an image model');
    const wrong: string[] = [];
    for (const file of files) {
      const [prediction] = bundle.predictImages(imageToInput(readFileSync(path.join(folder, file)), input), true);
      if (prediction.class !== Number(file[0])) wrong.push(`${file} → ${prediction.class}`);
    }
    bundle.dispose();
    expect(files).toHaveLength(120);
    expect(wrong.length, wrong.join(', ')).toBeLessThanOrEqual(6);
    for (const polarity of ['_0.png', '_1.png']) {
      expect(wrong.filter((w) => w.includes(polarity)).length, `polarity ${polarity}`).toBeLessThanOrEqual(3);
    }
  });
});
