import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundle, data, nn } from '../sdk/index';
import { trainingCurvesSvg } from './phone-price/report/curves';
import { trainingReportHtml } from './phone-price/report/report';
import { PRICE_LABELS, PRICE_TARGET } from './phone-price/dataset';
import { recipes, trainClassifier, type Recipe } from './phone-price/recipe';
import { fileOption, numberOption, parseCli, runCli, UsageError } from './cli';

/** Where a bundle goes unless --out says otherwise: a git-ignored folder, never the model the Worker serves. */
const DEFAULT_OUT = 'data/models/phone-price';

const USAGE = `Usage: npm run train -- [options]

Trains the phone-price classifier, prints its summary and test metrics, and writes a bundle.

  --data CSV            training data (default data/phone-price.csv, the synthetic set;
                        the real one is ../shared/data/mobile-price/train.csv)
  --target NAME         label column (default ${PRICE_TARGET})
  --labels A,B,...      class names, in class order (default for ${PRICE_TARGET}: ${PRICE_LABELS.join(',')};
                        else the class numbers)
  --recipe course|tuned starting configuration (default tuned); the options below override it
  --epochs N  --batch-size N  --lr X  --schedule constant|cosine  --optimizer sgd|adam
  --momentum X  --weight-decay X
  --l1 X  --l2 X  --dropout P  --batch-norm  --no-standardize  --hidden 128,256 (or "none")
                        (defaults: the recipe's, printed as "recipe: …" when training starts)
  --seed N              weights, dropout and batch order (default 0)
  --split-seed N        the 80/20 train/test split (default 88)
  --out DIR             bundle folder (default ${DEFAULT_OUT}); the served model is worker/models/phone-price
  --force               replace the bundle already in --out (default: refuse)
  --json                print one JSON object of final metrics on stdout (progress goes to stderr)
  --help                print this

Example:
  npm run train -- --data ../shared/data/mobile-price/train.csv --recipe tuned --out data/tuned`;

runCli(async () => {
  const args = parseCli({
    data: { type: 'string', default: 'data/phone-price.csv' },
    target: { type: 'string', default: PRICE_TARGET },
    recipe: { type: 'string', default: 'tuned' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    schedule: { type: 'string' },
    momentum: { type: 'string' },
    'weight-decay': { type: 'string' },
    l1: { type: 'string' },
    l2: { type: 'string' },
    dropout: { type: 'string' },
    'batch-norm': { type: 'boolean' },
    'no-standardize': { type: 'boolean' },
    hidden: { type: 'string' },
    seed: { type: 'string' },
    'split-seed': { type: 'string' },
    out: { type: 'string', default: DEFAULT_OUT },
    labels: { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  const recipe = recipeFrom(args);
  const log = args.json ? console.error : console.log;

  if (!args.force) await refuseToReplace(args.out);
  const dataset = await data.readCsv(await fileOption('data', args.data, '.csv'), { target: args.target });
  const labels = labelsFor(args.labels, args.target, data.classCount(dataset));
  log(`data: ${args.data} (${dataset.rows} rows, ${dataset.features.length} features, sha256 ${dataset.source?.sha256.slice(0, 12)}…)`);
  log(`recipe: ${args.recipe} ${JSON.stringify(recipe)}`);
  const width = String(recipe.epochs).length;
  const result = await trainClassifier(dataset, recipe, {
    onEpoch: (e) =>
      log(
        `epoch ${String(e.epoch).padStart(width)}/${recipe.epochs}  loss ${e.loss.toFixed(4)}  acc ${e.accuracy?.toFixed(3)}` +
          `  val_loss ${e.valLoss?.toFixed(4)}  val_acc ${e.valAccuracy?.toFixed(3)}  ${(e.seconds * 1000).toFixed(0)} ms`,
      ),
  });
  log(String(nn.summary(result.model, [recipe.batchSize, dataset.features.length])));
  const { test } = result;
  log(`test accuracy ${test.accuracy.toFixed(4)} on ${result.testRows} rows (train ${result.train.accuracy.toFixed(4)}), ${result.seconds.toFixed(1)} s`);
  log(`confusion [actual][predicted]: ${JSON.stringify(test.confusion)}`);
  test.perClass.forEach((m, c) =>
    log(`  class ${c}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} f1 ${m.f1.toFixed(3)} (n=${m.support})`),
  );

  const manifest = await bundle.save(args.out, {
    model: result.model,
    features: dataset.features,
    labels,
    scaler: result.scaler,
    metrics: {
      test_accuracy: test.accuracy,
      test_loss: test.loss,
      train_accuracy: result.train.accuracy,
      macro_f1: test.macroF1,
      confusion: test.confusion,
      test_rows: result.testRows,
    },
    training: {
      config: { recipe: args.recipe, ...recipe },
      seed: recipe.seed,
      data: { path: args.data, sha256: dataset.source!.sha256, rows: dataset.rows },
    },
  });
  const title = `${args.recipe} recipe on ${path.basename(args.data)}`;
  await writeFile(path.join(args.out, 'training.svg'), trainingCurvesSvg(result.history.epochs, title));
  const report = path.join(args.out, 'report.html');
  await writeFile(
    report,
    trainingReportHtml({
      title,
      recipe,
      history: result.history,
      test,
      train: result.train,
      labels: manifest.labels,
      features: dataset.features,
      model: result.model,
      data: { path: args.data, rows: dataset.rows, sha256: dataset.source?.sha256 },
    }),
  );
  log(`wrote ${args.out}/model.safetensors, model.json and training.svg`);
  log(`report: ${report}`);
  if (args.json) {
    console.log(
      JSON.stringify({
        test_accuracy: test.accuracy,
        train_seconds: result.seconds,
        epochs: result.history.epochs.length,
        confusion: test.confusion,
      }),
    );
  }
  result.model.dispose();
}, USAGE);

/** An existing bundle (or any other content) in --out is replaced only with --force. */
async function refuseToReplace(out: string): Promise<void> {
  const inside = await readdir(out).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new UsageError(`--out ${out} is a file; name a folder for the bundle`);
    throw error;
  });
  if (inside.length > 0) {
    const what = inside.includes('model.json') ? 'a bundle' : `${inside.length} files`;
    throw new UsageError(`--out ${out} already holds ${what}; pass --force to replace it, or choose another --out`);
  }
}

/** --labels, or the dataset's own class names for its target, or undefined (the class numbers). */
function labelsFor(text: string | undefined, target: string, classes: number): string[] | undefined {
  const labels = text !== undefined ? text.split(',').map((label) => label.trim()) : target === PRICE_TARGET ? [...PRICE_LABELS] : undefined;
  if (labels === undefined) return undefined;
  if (labels.length !== classes || labels.some((label) => label === '')) {
    const given = text === undefined ? `the ${PRICE_TARGET} names (${labels.join(', ')})` : `--labels "${text}"`;
    throw new UsageError(`${given} must name each of the data's ${classes} classes, in order; set --labels`);
  }
  return labels;
}

function recipeFrom(args: Record<string, string | boolean | undefined>): Recipe {
  const name = args.recipe as string;
  if (name !== 'course' && name !== 'tuned') throw new UsageError(`--recipe must be course or tuned, got "${name}"`);
  const recipe: Recipe = { ...recipes[name] };
  const int = (key: string) => numberOption(key, args[key] as string | undefined, { integer: true });
  const num = (key: string) => numberOption(key, args[key] as string | undefined);
  recipe.epochs = int('epochs') ?? recipe.epochs;
  recipe.batchSize = int('batch-size') ?? recipe.batchSize;
  recipe.seed = int('seed') ?? recipe.seed;
  recipe.splitSeed = int('split-seed') ?? recipe.splitSeed;
  recipe.lr = num('lr') ?? recipe.lr;
  recipe.momentum = num('momentum') ?? recipe.momentum;
  recipe.weightDecay = num('weight-decay') ?? recipe.weightDecay;
  recipe.l1 = num('l1') ?? recipe.l1;
  recipe.l2 = num('l2') ?? recipe.l2;
  recipe.dropout = num('dropout') ?? recipe.dropout;
  if (args['batch-norm']) recipe.batchNorm = true;
  if (args['no-standardize']) recipe.standardize = false;
  if (args.optimizer !== undefined) {
    if (args.optimizer !== 'sgd' && args.optimizer !== 'adam') {
      throw new UsageError(`--optimizer must be sgd or adam, got "${args.optimizer}"`);
    }
    recipe.optimizer = args.optimizer;
  }
  if (args.schedule !== undefined) {
    if (args.schedule !== 'constant' && args.schedule !== 'cosine') {
      throw new UsageError(`--schedule must be constant or cosine, got "${args.schedule}"`);
    }
    recipe.schedule = args.schedule;
  }
  if (args.hidden !== undefined) recipe.hidden = parseHidden(args.hidden as string);
  if (recipe.epochs < 1 || recipe.batchSize < 1) throw new UsageError('--epochs and --batch-size must be at least 1');
  return recipe;
}

function parseHidden(text: string): number[] {
  if (text === 'none' || text === '') return [];
  const widths = text.split(',').map(Number);
  if (!widths.every((w) => Number.isInteger(w) && w > 0)) {
    throw new UsageError(`--hidden takes comma-separated positive integers such as 128,256 (or "none"), got "${text}"`);
  }
  return widths;
}
