import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { bundle, BundleError } from '../sdk/index';
import { parseCli, runCli } from './cli';

const USAGE = `Usage: npm run check-models -- [--dir DIR]

Loads every bundle folder under --dir exactly as the Worker will (manifest, format version, weights digest, every
tensor at its shape, architecture) and fails naming the first problem. wrangler runs it before every build
(wrangler.toml [build]), so a broken bundle stops \`wrangler dev\` and \`wrangler deploy\` instead of being served.

  --dir DIR    the folder of bundle folders (default worker/models)
  --help       print this

Example:
  npm run check-models -- --dir data/models`;

runCli(async () => {
  const args = parseCli({
    dir: { type: 'string', default: 'worker/models' },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  const entries = await readdir(args.dir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(args.dir, entry.name));
  if (folders.length === 0) throw new BundleError(`no bundle folders under ${args.dir}`);
  for (const folder of folders) {
    const served = await bundle.load(folder);
    console.log(`ok  ${folder}: ${served.manifest.task}, weights sha256 ${served.manifest.weights.sha256.slice(0, 12)}…`);
    served.dispose();
  }
}, USAGE);
