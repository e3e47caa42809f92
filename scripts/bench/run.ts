/**
 * `npm run bench` lists the benchmarks; `npm run bench -- <name> [--repeats N]` runs one and prints Markdown tables
 * of medians, with every baseline measured in the same run.
 */
import { numberOption, parseCliWithPositionals, runCli, UsageError } from '../cli';
import { machine } from './lib';

const benchmarks: Record<string, { about: string; load: () => Promise<{ run: (o: { repeats: number }) => Promise<void> }> }> = {
  train: {
    about: 'the course configuration (10 000 steps) vs PyTorch and tfjs-layers; the tuned recipe to its accuracy',
    load: () => import('./train'),
  },
  predict: { about: '1 and 400 rows through Bundle.predictRows vs tfjs-layers and PyTorch', load: () => import('./predict') },
  conv: { about: '1×3×224×224 through Conv2d(3,4,k3,s2) + MaxPool2d(2) vs PyTorch', load: () => import('./conv') },
  edge: {
    about: 'warm requests/s and p50/p99 of predict and image transform vs /healthz under wrangler dev; cold starts',
    load: () => import('./edge'),
  },
  'edge-cold': {
    about: "edge's cold starts alone: wrangler dev spawned anew for each first predict and first digit",
    load: async () => ({ run: (await import('./edge')).coldStarts }),
  },
  size: { about: "the Worker's upload size from wrangler deploy --dry-run, gzip, by part", load: () => import('./size') },
  load: {
    about: '10 000 mixed requests (predict, images, bad input) at concurrency 32 against wrangler dev; memory, tensors',
    load: () => import('./load'),
  },
  'train-cnn': {
    about: "one epoch of the digit CNN (8 000 MNIST digits, batch 64, Adam) vs PyTorch's, same shapes, 1 thread",
    load: () => import('./train-cnn'),
  },
  registry: {
    about: "a model published to the R2 registry vs the same one built in: first predict after the 201, warm requests/s",
    load: () => import('./registry'),
  },
  heavy: {
    about: '20 s at concurrency 32: half predictions, half the heaviest allowed images; prediction latency, 5xx',
    load: () => import('./heavy'),
  },
  image: {
    about: "rocket.jpg through each image route vs /healthz under wrangler dev: HTTP p50/p90, the Worker's CPU by part",
    load: () => import('./image'),
  },
};

const NAME_WIDTH = Math.max(...Object.keys(benchmarks).map((name) => name.length));

const USAGE = `Usage: npm run bench -- <name> [--repeats N]

Runs one benchmark and prints Markdown tables of medians; without a name, lists them.

${Object.entries(benchmarks)
  .map(([name, { about }]) => `  ${name.padEnd(NAME_WIDTH)} ${about}`)
  .join('\n')}

  --repeats N  rounds (default 3); every baseline runs in every round
  --help       print this

Example:
  npm run bench -- predict --repeats 5`;

runCli(async () => {
  const parsed = parseCliWithPositionals({ repeats: { type: 'string' }, help: { type: 'boolean', default: false } });
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || parsed.values.help) return console.log(USAGE);
  const benchmark = benchmarks[name];
  if (!benchmark || extra.length > 0) throw new UsageError(`unknown benchmark "${[name, ...extra].join(' ')}"`);
  const repeats = numberOption('repeats', parsed.values.repeats, { integer: true }) ?? 3;
  if (repeats < 1) throw new UsageError('--repeats must be at least 1');
  console.log(`## bench ${name}: ${await machine()}`);
  await (await benchmark.load()).run({ repeats });
}, USAGE);
