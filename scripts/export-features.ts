import { bundle, Generator, nn } from '../sdk/index';
import { numberOption, parseCli, runCli } from './cli';

const USAGE = `Usage: npm run export-features -- [--out DIR] [--seed N]

Exports the course's image feature extractor, Conv2d(3, 4, kernel_size=3, stride=2) then MaxPool2d(2), with
weights drawn from a fixed seed, as an image-transform bundle.

  --out DIR    bundle folder (default worker/models/features, the one the Worker serves)
  --seed N     seeds the weights (default 0)
  --help       print this

Example:
  npm run export-features -- --out data/models/features --seed 1`;

runCli(async () => {
  const args = parseCli({
    out: { type: 'string', default: 'worker/models/features' },
    seed: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  const seed = numberOption('seed', args.seed, { integer: true })!;
  const model = new nn.Sequential(new nn.Conv2d(3, 4, 3, { stride: 2, generator: new Generator(seed) }), new nn.MaxPool2d(2));
  const manifest = await bundle.save(args.out, {
    model,
    name: 'features',
    task: 'image-transform',
    features: [],
    labels: ['0', '1', '2', '3'],
    channels: 3,
    training: { config: { description: 'untrained: weights from PyTorch default init with a fixed seed' }, seed },
  });
  console.log(`wrote ${args.out} (${manifest.weights.bytes} bytes of weights, sha256 ${manifest.weights.sha256.slice(0, 12)}…)`);
  model.dispose();
}, USAGE);
