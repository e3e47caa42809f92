import { describe, expect, it } from 'vitest';
import { confusionHeatmapSvg } from '../../../../scripts/phone-price/report/confusion';

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('confusionHeatmapSvg', () => {
  const confusion = [
    [85, 3, 0],
    [5, 100, 6],
    [0, 0, 0],
  ];

  it('writes every count in its cell and labels both axes with the class names', () => {
    const svg = confusionHeatmapSvg(confusion, ['low', 'mid', 'high']);
    const shown = texts(svg);
    expect(shown).toEqual(expect.arrayContaining(['actual', 'predicted', 'low', 'mid', 'high']));
    expect(shown.filter((t) => ['low', 'mid', 'high'].includes(t))).toHaveLength(6);
    for (const count of confusion.flat()) expect(shown).toContain(String(count));
    expect(shown.filter((t) => /^\d+$/.test(t))).toHaveLength(9);
  });

  it('shades each cell by its share of the actual row, and leaves an empty row unshaded', () => {
    const opacities = [...confusionHeatmapSvg(confusion, ['a', 'b', 'c']).matchAll(/fill-opacity="([\d.]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(opacities).toEqual([0.966, 0.034, 0, 0.045, 0.901, 0.054, 0, 0, 0]);
  });

  it('escapes class names', () => {
    const svg = confusionHeatmapSvg([[1]], ['<b>"x"&']);
    expect(svg).toContain('&lt;b&gt;&quot;x&quot;&amp;');
    expect(svg).not.toContain('<b>');
  });
});
