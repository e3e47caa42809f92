/**
 * The course's demos on the edgeml SDK (USAGE below). Files the demos write go to --out; --epochs shortens the ones
 * that train.
 */
import { mkdir } from 'node:fs/promises';
import { numberOption, parseCliWithPositionals, runCli, UsageError } from '../cli';
import * as batchnorm1d from './batchnorm1d';
import * as batchnorm2d from './batchnorm2d';
import * as blackWhite from './black-white';
import * as convFeatureMaps from './conv-feature-maps';
import * as dropout from './dropout';
import * as imageIo from './image-io';
import * as pooling from './pooling';
import * as seedPhonePrice from './seed-phone-price';
import * as seedRegularisation from './seed-regularisation';

interface Example {
  description: string;
  run(out: string, options: { epochs?: number }): Promise<void>;
}

const examples: Record<string, Example> = {
  dropout,
  batchnorm1d,
  batchnorm2d,
  'black-white': blackWhite,
  'image-io': imageIo,
  'conv-feature-maps': convFeatureMaps,
  pooling,
  'seed-phone-price': seedPhonePrice,
  'seed-regularisation': seedRegularisation,
};

const USAGE = `Usage: npm run example -- <name> [--out DIR] [--epochs N]

Runs one of the course's demos; without a name, lists them.

${Object.entries(examples)
  .map(([key, { description }]) => `  ${key.padEnd(20)} ${description}`)
  .join('\n')}

  --out DIR    where the demos write their files (default data/examples)
  --epochs N   shortens the demos that train (default: the course's, e.g. 50 for seed-phone-price)
  --help       print this

Example:
  npm run example -- seed-phone-price --epochs 5`;

runCli(async () => {
  const { positionals, values } = parseCliWithPositionals({
    out: { type: 'string', default: 'data/examples' },
    epochs: { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  const [name, ...extra] = positionals;
  if (name === undefined || values.help) return console.log(USAGE);
  const example = examples[name];
  if (!example || extra.length > 0) throw new UsageError(`unknown example "${positionals.join(' ')}"`);
  const epochs = numberOption('epochs', values.epochs, { integer: true });
  if (epochs !== undefined && epochs < 1) throw new UsageError(`--epochs must be a positive integer, got "${values.epochs}"`);
  await mkdir(values.out, { recursive: true });
  await example.run(values.out, { epochs });
}, USAGE);
