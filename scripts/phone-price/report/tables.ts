import type { train } from '../../../sdk/index';
import type { Recipe } from '../recipe';
import { escapeXml } from './escape';

const RECIPE_PAIRS_PER_ROW = 4;

/** The recipe's settings as a compact table, four name/value pairs to a row. */
export function recipeTableHtml(recipe: Recipe): string {
  const cells = Object.entries(recipe).map(
    ([name, value]) => `<th>${escapeXml(name)}</th><td>${escapeXml(recipeValue(value))}</td>`,
  );
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += RECIPE_PAIRS_PER_ROW) {
    rows.push(`<tr>${cells.slice(i, i + RECIPE_PAIRS_PER_ROW).join('')}</tr>`);
  }
  return `<table class="recipe">${rows.join('')}</table>`;
}

function recipeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Precision, recall, F1 and support per class, then their unweighted means (macro average) and the row total. */
export function perClassTableHtml(evaluation: train.Evaluation, labels: readonly string[]): string {
  const { perClass } = evaluation;
  const mean = (pick: (m: train.Evaluation['perClass'][number]) => number) =>
    perClass.reduce((sum, m) => sum + pick(m), 0) / Math.max(perClass.length, 1);
  const row = (name: string, precision: number, recall: number, f1: number, support: number, tag = 'td') =>
    `<tr><${tag}>${escapeXml(name)}</${tag}><td>${precision.toFixed(3)}</td><td>${recall.toFixed(3)}</td><td>${f1.toFixed(3)}</td><td>${support}</td></tr>`;
  const body = perClass.map((m, c) => row(labels[c] ?? String(c), m.precision, m.recall, m.f1, m.support));
  const total = perClass.reduce((sum, m) => sum + m.support, 0);
  return [
    '<table class="per-class">',
    '<thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>',
    `<tbody>${body.join('')}</tbody>`,
    `<tfoot>${row('macro avg', mean((m) => m.precision), mean((m) => m.recall), evaluation.macroF1, total, 'th')}</tfoot>`,
    '</table>',
  ].join('');
}
