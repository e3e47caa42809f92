import { ArgumentError, nn } from '../../../sdk/index';
import { escapeXml } from './escape';
import { percent } from './format';

export interface FeatureSparsity {
  feature: string;
  /** Share of the first layer's weights on this input with |w| < threshold, in [0, 1]. */
  share: number;
}

/** Below this, a weight counts as zero: L1 with Adam leaves weights jittering near 0 rather than at exactly 0. */
export const NEAR_ZERO = 1e-3;

/**
 * For each input feature, the share of the first nn.Linear layer's weights reading it (a column of weight
 * [out, in]) whose magnitude is below `threshold`. A feature whose share is near 1 is one that L1 switched off.
 */
export function firstLayerSparsity(
  model: nn.Sequential,
  features: readonly string[],
  threshold = NEAR_ZERO,
): FeatureSparsity[] {
  const layer = model.layers.find((m): m is nn.Linear => m instanceof nn.Linear);
  if (!layer) throw new ArgumentError('the model has no nn.Linear layer whose weights could be inspected');
  if (layer.inFeatures !== features.length) {
    throw new ArgumentError(
      `the first nn.Linear layer takes ${layer.inFeatures} inputs but ${features.length} feature names were given`,
    );
  }
  const weights = layer.weight.dataSync();
  return features.map((feature, column) => {
    let nearZero = 0;
    for (let row = 0; row < layer.outFeatures; row++) {
      if (Math.abs(weights[row * layer.inFeatures + column]) < threshold) nearZero += 1;
    }
    return { feature, share: nearZero / layer.outFeatures };
  });
}

const ROW = 20;
const BAR_AREA = 320;
const CHAR_WIDTH = 6.6;
const TOP = 44;
const FILL = '#059669';

/** The sparsity per feature as a horizontal bar chart SVG, one bar per feature in the given order. */
export function featureSparsitySvg(sparsity: readonly FeatureSparsity[], threshold = NEAR_ZERO): string {
  const left = Math.max(...sparsity.map((s) => s.feature.length), 4) * CHAR_WIDTH + 12;
  const width = left + BAR_AREA + 52;
  const height = TOP + sparsity.length * ROW + 8;
  const x = (share: number) => left + share * BAR_AREA;
  const axis = [0, 0.25, 0.5, 0.75, 1].map(
    (share) =>
      `<line x1="${x(share)}" x2="${x(share)}" y1="${TOP - 4}" y2="${height - 8}" stroke="#e5e7eb"/>` +
      `<text x="${x(share)}" y="${TOP - 8}" text-anchor="middle" fill="#4b5563">${percent(share, 0)}</text>`,
  );
  const bars = sparsity.map(({ feature, share }, i) => {
    const y = TOP + i * ROW;
    return [
      `<text x="${left - 6}" y="${y + ROW / 2 + 4}" text-anchor="end">${escapeXml(feature)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(share * BAR_AREA).toFixed(1)}" height="${ROW - 6}" fill="${FILL}"/>`,
      `<text x="${x(share) + 4}" y="${y + ROW / 2 + 4}">${percent(share, 0)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left + BAR_AREA / 2}" y="14" text-anchor="middle" font-weight="bold">first-layer weights with |w| &lt; ${threshold.toExponential()}, per input feature</text>`,
    ...axis,
    ...bars,
    '</svg>',
  ].join('\n');
}
