import { ready } from '../sdk/backend';
import { save } from '../sdk/bundle/save';
import { Conv2d } from '../sdk/nn/conv';
import { MaxPool2d } from '../sdk/nn/pool';
import { Sequential } from '../sdk/nn/sequential';
import { Generator } from '../sdk/random';
import { numberOption, parseCli, runCli } from './cli';

const USAGE = `Usage: npm run export-features -- [--out worker/models/features] [--seed 0]

Exports the course's image feature extractor, Conv2d(3, 4, kernel_size=3, stride=2) then MaxPool2d(2), with
weights drawn from a fixed seed, as an image-transform bundle.`;

runCli(async () => {
  const args = parseCli({
    out: { type: 'string', default: 'worker/models/features' },
    seed: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  const seed = numberOption('seed', args.seed, { integer: true })!;
  await ready();
  const model = new Sequential(new Conv2d(3, 4, 3, { stride: 2, generator: new Generator(seed) }), new MaxPool2d(2));
  const manifest = await save(args.out, {
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
