/**
 * The course's demos on the edgeml SDK. Usage: npx tsx scripts/examples/run.ts <name> [--out DIR]
 * Files the demos write go to DIR (default data/examples/). Without a name, lists the demos.
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

interface Example {
  description: string;
  run(out: string): Promise<void>;
}

const examples: Record<string, Example> = {
  dropout,
  batchnorm1d,
  batchnorm2d,
  'black-white': blackWhite,
  'image-io': imageIo,
  'conv-feature-maps': convFeatureMaps,
  pooling,
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'data/examples' } },
});
const [name] = positionals;
const example = name === undefined ? undefined : examples[name];
if (!example) {
  if (name !== undefined) console.error(`unknown example "${name}"\n`);
  console.log('usage: npx tsx scripts/examples/run.ts <name> [--out DIR]\n');
  for (const [key, { description }] of Object.entries(examples)) console.log(`  ${key.padEnd(18)} ${description}`);
  process.exitCode = name === undefined ? 0 : 1;
} else {
  await mkdir(values.out, { recursive: true });
  await example.run(values.out);
}
