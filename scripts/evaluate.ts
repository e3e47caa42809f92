import { ready } from '../sdk/backend';
import { load } from '../sdk/bundle/load';
import { readCsv } from '../sdk/data/csv';
import { classificationMetrics } from '../sdk/train/metrics';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run evaluate -- --model DIR --data CSV [--target price_range] [--json]

Reloads a bundle and scores it on a labelled CSV (columns matched by name, in any order).`;

runCli(async () => {
  const args = parseCli({
    model: { type: 'string' },
    data: { type: 'string' },
    target: { type: 'string', default: 'price_range' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  if (!args.model || !args.data) throw new UsageError('--model and --data are both required');

  await ready();
  const served = await load(args.model);
  const dataset = await readCsv(args.data, { target: args.target });
  const { features } = served.manifest.preprocess;
  const columns = features.map((name) => dataset.features.indexOf(name));
  const absent = features.filter((_, i) => columns[i] < 0);
  if (absent.length > 0) throw new UsageError(`${args.data} lacks the model's features: ${absent.join(', ')}`);

  const width = dataset.features.length;
  const rows = new Float32Array(dataset.rows * features.length);
  for (let r = 0; r < dataset.rows; r++) {
    columns.forEach((column, i) => (rows[r * features.length + i] = dataset.x[r * width + column]));
  }
  const predicted = served.predictRows(rows).map((p) => p.class);
  const metrics = classificationMetrics(predicted, dataset.y, served.manifest.labels.length);
  if (args.json) {
    console.log(JSON.stringify({ accuracy: metrics.accuracy, macro_f1: metrics.macroF1, confusion: metrics.confusion, rows: dataset.rows }));
  } else {
    console.log(`${served.manifest.name} on ${args.data}: accuracy ${metrics.accuracy.toFixed(4)} over ${dataset.rows} rows`);
    console.log(`confusion [actual][predicted]: ${JSON.stringify(metrics.confusion)}`);
    metrics.perClass.forEach((m, c) =>
      console.log(`  ${served.manifest.labels[c]}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} f1 ${m.f1.toFixed(3)}`),
    );
  }
  served.dispose();
}, USAGE);
