import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ready } from '../sdk/backend';
import { load } from '../sdk/bundle/load';
import { BundleError } from '../sdk/errors';
import { parseCli, runCli } from './cli';

const USAGE = `Usage: npm run check-models -- [--dir worker/models]

Loads every bundle folder under --dir exactly as the Worker will (manifest, format version, weights digest, every
tensor at its shape, architecture) and fails naming the first problem. wrangler runs it before every build
(wrangler.toml [build]), so a broken bundle stops \`wrangler dev\` and \`wrangler deploy\` instead of being served.`;

runCli(async () => {
  const args = parseCli({
    dir: { type: 'string', default: 'worker/models' },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  await ready();
  const entries = await readdir(args.dir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(args.dir, entry.name));
  if (folders.length === 0) throw new BundleError(`no bundle folders under ${args.dir}`);
  for (const folder of folders) {
    const bundle = await load(folder);
    console.log(`ok  ${folder}: ${bundle.manifest.task}, weights sha256 ${bundle.manifest.weights.sha256.slice(0, 12)}…`);
    bundle.dispose();
  }
}, USAGE);
