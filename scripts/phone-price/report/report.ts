import type { nn, train } from '../../../sdk/index';
import type { Recipe } from '../recipe';
import { confusionHeatmapSvg } from './confusion';
import { trainingCurvesSvg } from './curves';
import { escapeXml } from './escape';
import { percent } from './format';
import { featureSparsitySvg, firstLayerSparsity, NEAR_ZERO } from './sparsity';
import { REPORT_CSS } from './style';
import { perClassTableHtml, recipeTableHtml } from './tables';

export interface TrainingReport {
  title: string;
  recipe: Recipe;
  history: train.History;
  /** Scores on the held-out split: the headline, the heat map and the per-class table. */
  test: train.Evaluation;
  train?: train.Evaluation;
  /** Class names by output index. */
  labels: readonly string[];
  /** Input columns in the model's order (the manifest's). */
  features: readonly string[];
  model: nn.Sequential;
  data?: { path: string; rows: number; sha256?: string };
}

/** The page's own policy, which is also the strictest one it must work under when served. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * One self-contained HTML page about a training run: headline metrics, the recipe, the loss and accuracy curves,
 * the test confusion matrix as a heat map, per-class metrics and, when the recipe used L1, how many first-layer
 * weights of each input feature it drove to zero. Inline CSS and SVG only: no scripts, no external references.
 */
export function trainingReportHtml(report: TrainingReport): string {
  const { title, recipe, history, test, labels } = report;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeXml(title)}</h1>`,
    report.data ? `<p class="source">${escapeXml(dataLine(report.data))}</p>` : '',
    headlineHtml(report),
    `<section id="recipe"><h2>Recipe</h2>${recipeTableHtml(recipe)}</section>`,
    `<section id="curves"><h2>Loss and accuracy per epoch</h2>${penaltyNote(recipe)}${trainingCurvesSvg(history.epochs, curvesTitle(history))}</section>`,
    '<section id="classes" class="pair">',
    `<div><h2>Confusion matrix (test split)</h2>${confusionHeatmapSvg(test.confusion, labels)}</div>`,
    `<div><h2>Per class (test split)</h2>${perClassTableHtml(test, labels)}</div>`,
    '</section>',
    recipe.l1 > 0 ? sparsitySectionHtml(report) : '',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function headlineHtml({ test, train, history, recipe }: TrainingReport): string {
  const seconds = history.epochs.reduce((sum, e) => sum + e.seconds, 0);
  const epochs = history.stoppedEarly
    ? `${history.epochs.length} of ${recipe.epochs}`
    : String(history.epochs.length);
  const stats: [string, string][] = [
    ['test accuracy', percent(test.accuracy)],
    ['macro F1', test.macroF1.toFixed(3)],
    ...(train ? [['train accuracy', percent(train.accuracy)] as [string, string]] : []),
    [history.stoppedEarly ? 'epochs (stopped early)' : 'epochs', epochs],
    ['seconds training', seconds.toFixed(1)],
  ];
  const items = stats.map(
    ([name, value]) => `<div class="stat"><span class="value">${escapeXml(value)}</span><span class="name">${escapeXml(name)}</span></div>`,
  );
  return `<section id="headline" class="headline">${items.join('')}</section>`;
}

function curvesTitle(history: train.History): string {
  return history.bestEpoch === undefined ? 'Training' : `Training (lowest validation loss at epoch ${history.bestEpoch})`;
}

/** Without it, a training loss above the validation loss reads as a bug rather than as the penalty. */
function penaltyNote({ l1, l2 }: Recipe): string {
  if (l1 === 0 && l2 === 0) return '';
  const terms = [l1 > 0 ? `L1 = ${l1}` : '', l2 > 0 ? `L2 = ${l2}` : ''].filter(Boolean).join(' and ');
  return `<p>The training loss is the objective minimised, so it includes the ${terms} penalty; the validation loss is the cross-entropy alone.</p>`;
}

function dataLine({ path, rows, sha256 }: NonNullable<TrainingReport['data']>): string {
  return `data: ${path}, ${rows} rows${sha256 ? `, sha256 ${sha256.slice(0, 12)}…` : ''}`;
}

function sparsitySectionHtml({ recipe, model, features }: TrainingReport): string {
  const sparsity = firstLayerSparsity(model, features, NEAR_ZERO);
  return [
    '<section id="sparsity">',
    '<h2>Feature selection by L1</h2>',
    `<p>L1 = ${recipe.l1} adds the weights' absolute values to the loss, which pushes the weights of inputs that do not ` +
      `help to zero. Each bar is the share of the first layer's weights on that feature with |w| &lt; ${NEAR_ZERO.toExponential()}: ` +
      'a long bar marks a feature the network learnt to ignore.</p>',
    featureSparsitySvg(sparsity, NEAR_ZERO),
    '</section>',
  ].join('');
}
