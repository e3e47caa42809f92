import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../../sdk/backend';
import { ReLU } from '../../../../sdk/nn/activation';
import { Linear } from '../../../../sdk/nn/linear';
import { Sequential } from '../../../../sdk/nn/sequential';
import { featureSparsitySvg, firstLayerSparsity } from '../../../../scripts/phone-price/report/sparsity';

beforeAll(ready);

/** 3 inputs → 4 units; columns: a is all near zero, b has no zeros, c has two weights under 1e-3. */
function handMadeModel(): Sequential {
  const first = new Linear(3, 4);
  first.loadStateDict({
    weight: tf.tensor2d([
      [0, 0.5, 0],
      [0, -0.2, 0.0005],
      [0.0009, 1, -0.3],
      [-0.0002, 0.7, 2],
    ]),
    bias: tf.zeros([4]),
  });
  const second = new Linear(4, 2);
  second.loadStateDict({ weight: tf.zeros([2, 4]), bias: tf.zeros([2]) });
  return new Sequential(first, new ReLU(), second);
}

describe('firstLayerSparsity', () => {
  it('gives per input feature the share of first-layer weights with |w| < 1e-3, in feature order', () => {
    expect(firstLayerSparsity(handMadeModel(), ['a', 'b', 'c'])).toEqual([
      { feature: 'a', share: 1 },
      { feature: 'b', share: 0 },
      { feature: 'c', share: 0.5 },
    ]);
  });

  it('takes another threshold and ignores later layers (the second one is all zeros)', () => {
    const shares = firstLayerSparsity(handMadeModel(), ['a', 'b', 'c'], 1e-4).map((s) => s.share);
    expect(shares).toEqual([0.5, 0, 0.25]);
  });

  it('refuses feature names that do not match the layer inputs', () => {
    expect(() => firstLayerSparsity(handMadeModel(), ['a', 'b'])).toThrow(/takes 3 inputs but 2 feature names/);
  });
});

describe('featureSparsitySvg', () => {
  it('draws one labelled bar per feature, in order, and states the threshold', () => {
    const svg = featureSparsitySvg([
      { feature: 'ram', share: 0.25 },
      { feature: 'wifi<&>', share: 1 },
    ]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('|w| &lt; 1e-3');
    expect(svg.indexOf('>ram<')).toBeLessThan(svg.indexOf('>wifi&lt;&amp;&gt;<'));
    expect(svg).toContain('>25%<');
    expect(svg).toContain('>100%<');
    expect(svg).not.toContain('wifi<');
  });
});
