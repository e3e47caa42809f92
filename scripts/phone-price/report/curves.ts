import type { train } from '../../../sdk/index';
import { escapeXml } from './escape';

interface Series {
  label: string;
  color: string;
  values: (number | undefined)[];
}

const PANEL_WIDTH = 360;
const PANEL_HEIGHT = 220;
const HEADER = 44;
const MARGIN = { left: 48, right: 16, top: 24, bottom: 34 };
const TRAIN = { label: 'train', color: '#2563eb' };
const VALIDATION = { label: 'validation', color: '#dc2626' };

/**
 * The training curves as one self-contained SVG: loss and accuracy per epoch, training and (when present)
 * validation, side by side. No scripts or external references, so it renders anywhere, CSP included.
 */
export function trainingCurvesSvg(epochs: readonly train.EpochRecord[], title = 'Training'): string {
  const hasValidation = epochs.some((e) => e.valLoss !== undefined);
  const kinds = hasValidation ? [TRAIN, VALIDATION] : [TRAIN];
  const loss: Series[] = [{ ...TRAIN, values: epochs.map((e) => e.loss) }];
  const accuracy: Series[] = [{ ...TRAIN, values: epochs.map((e) => e.accuracy) }];
  if (hasValidation) {
    loss.push({ ...VALIDATION, values: epochs.map((e) => e.valLoss) });
    accuracy.push({ ...VALIDATION, values: epochs.map((e) => e.valAccuracy) });
  }
  const width = 2 * PANEL_WIDTH;
  const height = HEADER + PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PANEL_WIDTH}" y="16" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    legend(kinds, PANEL_WIDTH, 34),
    `<g transform="translate(0,${HEADER})">${chart('loss', loss)}</g>`,
    `<g transform="translate(${PANEL_WIDTH},${HEADER})">${chart('accuracy', accuracy)}</g>`,
    '</svg>',
  ].join('\n');
}

/** Centred on `centre`; kept above the plots so that it never covers a curve. */
function legend(kinds: { label: string; color: string }[], centre: number, y: number): string {
  const itemWidth = 96;
  const left = centre - (kinds.length * itemWidth) / 2;
  return kinds
    .map(({ label, color }, k) => {
      const x = left + k * itemWidth;
      return `<line x1="${x}" x2="${x + 20}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"/><text x="${x + 26}" y="${y}">${label}</text>`;
    })
    .join('');
}

function chart(name: string, series: Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const count = Math.max(...series.map((s) => s.values.length), 1);
  let [low, high] = [Math.min(...all), Math.max(...all)];
  if (!(high > low)) [low, high] = [low - 0.5, high + 0.5];
  const plotW = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (i: number) => MARGIN.left + (count === 1 ? plotW / 2 : (i / (count - 1)) * plotW);
  const y = (v: number) => MARGIN.top + (1 - (v - low) / (high - low)) * plotH;
  const bottom = MARGIN.top + plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => low + t * (high - low))
    .map((v) => `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/><text x="${MARGIN.left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${formatTick(v)}</text>`)
    .join('');
  const epochTicks = epochTickValues(count)
    .map((epoch) => `<line x1="${x(epoch - 1).toFixed(1)}" x2="${x(epoch - 1).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#9ca3af"/><text x="${x(epoch - 1).toFixed(1)}" y="${bottom + 15}" text-anchor="middle">${epoch}</text>`)
    .join('');
  const lines = series
    .map((s) => {
      const points = s.values
        .map((v, i) => (v === undefined || !Number.isFinite(v) ? '' : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
        .filter(Boolean)
        .join(' ');
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${points}"/>`;
    })
    .join('');
  return [
    `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top - 10}" text-anchor="middle" font-weight="bold">${name}</text>`,
    grid,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${bottom}" y2="${bottom}" stroke="#9ca3af"/>`,
    epochTicks,
    lines,
    `<text x="${MARGIN.left + plotW / 2}" y="${PANEL_HEIGHT - 4}" text-anchor="middle">epoch</text>`,
  ].join('');
}

/** Epoch 1, the last epoch, and round numbers between them, at most six in all. */
function epochTickValues(count: number): number[] {
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => count / s <= 5) ?? Math.ceil(count / 5);
  const ticks = [1];
  for (let epoch = step; epoch <= count - step / 2; epoch += step) if (epoch - 1 >= step / 2) ticks.push(epoch);
  if (count > 1) ticks.push(count);
  return ticks;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
