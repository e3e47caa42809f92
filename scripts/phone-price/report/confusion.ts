import { escapeXml } from './escape';
import { percent } from './format';

const MIN_CELL = 60;
const CHAR_WIDTH = 7;
const AXIS_TITLE = 22;
const FILL = '#2563eb';
const NOTE_WIDTH = 260;

/**
 * The confusion matrix (`confusion[actual][predicted]`, row counts) as a heat map SVG: each cell is shaded by its
 * share of the actual class's rows, so the diagonal reads as recall, and shows the count and that share.
 */
export function confusionHeatmapSvg(confusion: readonly (readonly number[])[], labels: readonly string[]): string {
  const classes = confusion.length;
  const names = Array.from({ length: classes }, (_, c) => labels[c] ?? String(c));
  const longest = Math.max(...names.map((n) => n.length), 1);
  const cell = Math.max(MIN_CELL, longest * CHAR_WIDTH + 12);
  const left = AXIS_TITLE + longest * CHAR_WIDTH + 10;
  const top = AXIS_TITLE + 20;
  const width = Math.max(left + classes * cell + 8, NOTE_WIDTH);
  const height = top + classes * cell + 30;
  const gridCentreX = left + (classes * cell) / 2;
  const gridCentreY = top + (classes * cell) / 2;
  const cells = confusion.flatMap((row, actual) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, predicted) => {
      const share = total === 0 ? 0 : count / total;
      const [x, y] = [left + predicted * cell, top + actual * cell];
      const ink = share > 0.55 ? 'white' : '#111827';
      return [
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${FILL}" fill-opacity="${share.toFixed(3)}" stroke="#d1d5db"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" font-size="15" font-weight="bold" fill="${ink}">${count}</text>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 15}" text-anchor="middle" font-size="10" fill="${ink}">${percent(share, 0)}</text>`,
      ].join('');
    });
  });
  const columnLabels = names.map(
    (name, c) => `<text x="${left + c * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${escapeXml(name)}</text>`,
  );
  const rowLabels = names.map(
    (name, r) => `<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(name)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${gridCentreX}" y="14" text-anchor="middle" font-weight="bold">predicted</text>`,
    `<text transform="translate(14,${gridCentreY}) rotate(-90)" text-anchor="middle" font-weight="bold">actual</text>`,
    ...columnLabels,
    ...rowLabels,
    ...cells,
    `<text x="${width / 2}" y="${height - 10}" text-anchor="middle" font-size="10" fill="#4b5563">shade and % = share of the actual class's rows</text>`,
    '</svg>',
  ].join('\n');
}
