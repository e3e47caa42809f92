import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../../sdk/backend';
import { trainingReportHtml, type TrainingReport } from '../../../../scripts/phone-price/report/report';
import { buildClassifier, recipes } from '../../../../scripts/phone-price/recipe';
import { classificationMetrics } from '../../../../sdk/train/metrics';

beforeAll(ready);

const MALICIOUS = '<img src=x onerror=alert(1)>';

function report(overrides: Partial<TrainingReport> = {}): string {
  const recipe = { ...recipes.tuned, hidden: [4], epochs: 3 };
  const metrics = classificationMetrics([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], 2);
  return trainingReportHtml({
    title: 'tuned recipe on train.csv',
    recipe,
    history: {
      epochs: [1, 2, 3].map((epoch) => ({
        epoch,
        loss: 1 / epoch,
        accuracy: 0.5 + epoch / 10,
        seconds: 0.5,
        valLoss: 1.2 / epoch,
        valAccuracy: 0.5 + epoch / 12,
      })),
      stoppedEarly: false,
      bestEpoch: 3,
    },
    test: { ...metrics, loss: 0.4 },
    train: { ...metrics, accuracy: 0.9, loss: 0.3 },
    labels: ['cheap', 'dear'],
    features: ['ram', 'wifi', 'blue'],
    model: buildClassifier(3, 2, recipe),
    data: { path: 'data/phone-price.csv', rows: 5, sha256: 'ab'.repeat(32) },
    ...overrides,
  });
}

describe('trainingReportHtml', () => {
  it('is one page with the headline, recipe, curves, heat map, per-class table and L1 sparsity chart', () => {
    const html = report();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/<section id="headline"[^>]*>.*80\.0%.*test accuracy.*0\.800.*macro F1.*90\.0%.*train accuracy.*>3<.*epochs.*1\.5.*seconds/);
    expect(html).toContain('<th>optimizer</th><td>adam</td>');
    for (const id of ['recipe', 'curves', 'classes', 'sparsity']) expect(html).toContain(`<section id="${id}"`);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('<td>cheap</td><td>1.000</td><td>0.667</td><td>0.800</td><td>3</td>');
    expect(html.match(/<section/g)?.length).toBe(html.match(/<\/section>/g)?.length);
  });

  it('needs nothing outside itself: no scripts, no URLs but the SVG namespace, and a strict CSP of its own', () => {
    const html = report();
    expect(html).not.toMatch(/<script/i);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|href)=|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('escapes the title, labels and feature names', () => {
    const html = report({ title: MALICIOUS, labels: [MALICIOUS, 'dear'], features: ['ram', MALICIOUS, 'blue'] });
    expect(html).not.toContain('<img');
    expect(html).toContain(`<title>&lt;img src=x onerror=alert(1)&gt;</title>`);
    expect(html.match(/&lt;img src=x onerror=alert\(1\)&gt;/g)!.length).toBeGreaterThanOrEqual(6);
  });

  it('leaves out the sparsity chart when L1 is off', () => {
    const html = report({ recipe: { ...recipes.tuned, hidden: [4], l1: 0 } });
    expect(html).not.toContain('id="sparsity"');
    expect(html).not.toContain('|w|');
    expect(html.match(/<svg /g)).toHaveLength(2);
  });
});
