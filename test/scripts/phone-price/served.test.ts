import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle } from '../../../sdk/index';
import { PRICE_LABELS } from '../../../scripts/phone-price/dataset';
import { repoRoot } from '../../helpers/fixtures';

const served = path.join(repoRoot, 'worker/models/phone-price');

describe('the served phone-price model', () => {
  it("names its classes as the dataset does, in class order, while class stays the index", async () => {
    expect(PRICE_LABELS).toEqual(['low cost', 'medium cost', 'high cost', 'very high cost']);
    const model = await bundle.load(served);
    try {
      expect(model.manifest.labels).toEqual(PRICE_LABELS);
      const [prediction] = model.predict([[842, 0, 2.2, 0, 1, 0, 7, 0.6, 188, 2, 2, 20, 756, 2549, 9, 7, 19, 0, 0, 1]]);
      expect(prediction.class).toBe(1);
      expect(prediction.label).toBe('medium cost');
    } finally {
      model.dispose();
    }
  });

  it('shows the same names in its training report', () => {
    const report = readFileSync(path.join(served, 'report.html'), 'utf8');
    for (const label of PRICE_LABELS) expect(report).toContain(`<td>${label}</td>`);
    expect(report).not.toMatch(/<tr><td>\d<\/td>/);
  });
});
