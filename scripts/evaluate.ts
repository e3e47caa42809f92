import { bundle, data, train } from '../sdk/index';
import { bundleOption, fileOption, parseCli, runCli, UsageError } from './cli';
import { PRICE_TARGET } from './phone-price/dataset';
import { splitDataset } from './phone-price/recipe';

const USAGE = `Usage: npm run evaluate -- --model DIR [options]

Reloads a bundle and scores it on a labelled CSV (columns matched by name, in any order). By default it scores only
the rows the model did not train on: when the CSV is the one the bundle was trained on (same SHA-256), the held-out
part of the split recorded in the bundle (split seed, train size); any other CSV is unseen, so all of its rows.

  --model DIR      the bundle folder (required)
  --data CSV       labelled data (default: the CSV the bundle was trained on, training.data.path)
  --target NAME    label column (default ${PRICE_TARGET})
  --all            score every row, training rows included
  --json           print one JSON object: accuracy, macro_f1, confusion, rows, scored
  --help           print this

Example:
  npm run evaluate -- --model worker/models/phone-price --data ../shared/data/mobile-price/train.csv`;

runCli(async () => {
  const args = parseCli({
    model: { type: 'string' },
    data: { type: 'string' },
    target: { type: 'string', default: PRICE_TARGET },
    all: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  if (!args.model) throw new UsageError('--model is required');

  const served = await bundle.load(await bundleOption('model', args.model));
  const trainedOn = served.manifest.training.data;
  const csv = args.data ?? trainedOn?.path;
  if (csv === undefined) throw new UsageError(`${args.model} does not record its training data: name a CSV with --data`);
  const dataset = await data.readCsv(await fileOption('data', csv, '.csv'), { target: args.target });
  const { rows: part, scored } = rowsToScore(dataset, served.manifest, args.all);

  const { features } = served;
  const columns = features.map((name) => part.features.indexOf(name));
  const absent = features.filter((_, i) => columns[i] < 0);
  if (absent.length > 0) throw new UsageError(`${csv} lacks the model's features: ${absent.join(', ')}`);
  const width = part.features.length;
  const rows = new Float32Array(part.rows * features.length);
  for (let r = 0; r < part.rows; r++) {
    columns.forEach((column, i) => (rows[r * features.length + i] = part.x[r * width + column]));
  }
  const predicted = served.predictRows(rows).map((p) => p.class);
  const metrics = train.classificationMetrics(predicted, part.y, served.manifest.labels.length);
  if (args.json) {
    console.log(JSON.stringify({ accuracy: metrics.accuracy, macro_f1: metrics.macroF1, confusion: metrics.confusion, rows: part.rows, scored }));
  } else {
    console.log(`${served.manifest.name} on ${csv}, ${scored}: accuracy ${metrics.accuracy.toFixed(4)}`);
    console.log(`confusion [actual][predicted]: ${JSON.stringify(metrics.confusion)}`);
    metrics.perClass.forEach((m, c) =>
      console.log(`  ${served.manifest.labels[c]}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} f1 ${m.f1.toFixed(3)}`),
    );
  }
  served.dispose();
}, USAGE);

/** The rows to score, and a phrase that says which they are. */
function rowsToScore(dataset: data.Dataset, manifest: bundle.Manifest, all: boolean): { rows: data.Dataset; scored: string } {
  const trainedOn = manifest.training.data;
  const sameData = trainedOn !== undefined && trainedOn.sha256 === dataset.source?.sha256;
  if (all) {
    return { rows: dataset, scored: `all ${dataset.rows} rows${sameData ? ', training rows included' : ''}` };
  }
  if (!sameData) {
    return { rows: dataset, scored: `all ${dataset.rows} rows (not the data it was trained on, so none trained it)` };
  }
  const { splitSeed, trainSize } = manifest.training.config as { splitSeed?: unknown; trainSize?: unknown };
  if (typeof splitSeed !== 'number' || typeof trainSize !== 'number') {
    throw new UsageError(
      `${manifest.name} was trained on this CSV but does not record its split (training.config.splitSeed, trainSize), ` +
        'so its held-out rows are unknown: pass --all to score every row, training rows included',
    );
  }
  const [, heldOut] = splitDataset(dataset, { splitSeed, trainSize });
  return {
    rows: heldOut,
    scored: `the ${heldOut.rows} held-out rows of ${dataset.rows} (split seed ${splitSeed}, train size ${trainSize}; --all for every row)`,
  };
}
