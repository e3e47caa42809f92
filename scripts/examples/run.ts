/**
 * The course's demos on the edgeml SDK. Usage: npx tsx scripts/examples/run.ts <name> [--out DIR] [--epochs N]
 * Files the demos write go to DIR (default data/examples/); --epochs shortens the ones that train. Without a name,
 * lists the demos.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
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

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'data/examples' }, epochs: { type: 'string' } },
});
const [name] = positionals;
const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
const example = name === undefined ? undefined : examples[name];
if (!example) {
  if (name !== undefined) console.error(`unknown example "${name}"\n`);
  console.log('usage: npx tsx scripts/examples/run.ts <name> [--out DIR] [--epochs N]\n');
  for (const [key, { description }] of Object.entries(examples)) console.log(`  ${key.padEnd(20)} ${description}`);
  process.exitCode = name === undefined ? 0 : 1;
} else if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) {
  console.error(`--epochs must be a positive integer, got "${values.epochs}"`);
  process.exitCode = 1;
} else {
  await mkdir(values.out, { recursive: true });
  await example.run(values.out, { epochs });
}
