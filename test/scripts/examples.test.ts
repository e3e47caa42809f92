import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../sdk/backend';
import { load } from '../../sdk/torch/file';
import { repoRoot } from '../helpers/fixtures';

// The course's demos, run as `npm run example -- <name>` runs them, and checked on what they print.

const example = (name: string, args: string[] = []) => {
  const out = mkdtempSync(path.join(tmpdir(), `edgeml-example-${name}-`));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/examples/run.ts', name, '--out', out, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...run, out };
};

/** The tensor printed under the header line starting with `label` (format.ts's show): its shape and values. */
function printed(output: string, label: string): { shape: number[]; values: number[] } {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => line.startsWith(label) && /shape \[[\d, ]*\]$/.test(line));
  expect(at, `no tensor headed "${label}" in:\n${output}`).toBeGreaterThanOrEqual(0);
  const shape = /shape \[([\d, ]*)\]$/.exec(lines[at])![1].split(', ').map(Number);
  // The tensor's text runs until its brackets close (a 4-D tensor has blank lines inside).
  let text = '';
  let depth = 0;
  for (const line of lines.slice(at + 1)) {
    text += `${line}\n`;
    depth += (line.match(/\[/g) ?? []).length - (line.match(/\]/g) ?? []).length;
    if (depth === 0 && text.includes('[')) break;
  }
  const values = (text.match(/-?\d+\.\d+/g) ?? []).map(Number);
  expect(values.length, `the values of "${label}"`).toBe(shape.reduce((a, b) => a * b, 1));
  return { shape, values };
}

/** The numbers of a `name [a, b, …]` or `name n` line. */
const line = (output: string, name: string): number[] => {
  const match = new RegExp(`^${name} \\[?([^\\]\\n]*)\\]?$`, 'm').exec(output);
  expect(match, `no "${name}" line in:\n${output}`).not.toBeNull();
  return match![1].split(', ').map(Number);
};

const expectAllClose = (actual: number[], expected: number[], tolerance: number, what: string) => {
  expect(actual.length, what).toBe(expected.length);
  const worst = actual.findIndex((a, i) => !(Math.abs(a - expected[i]) <= tolerance));
  expect(worst, `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]}`).toBe(-1);
};

/** Per column (feature or channel): the values of `values` laid out as `shape`, grouped by axis 1. */
function byAxis1(values: number[], shape: number[]): number[][] {
  const channels = shape[1];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const groups = Array.from({ length: channels }, (): number[] => []);
  values.forEach((v, i) => groups[Math.floor(i / inner) % channels].push(v));
  return groups;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[], unbiased: boolean) =>
  xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - (unbiased ? 1 : 0));

describe('npm run example -- seed-regularisation', () => {
  let output: string;
  let sections: Record<string, string>;

  beforeAll(() => {
    const run = example('seed-regularisation');
    expect(run.status, run.stderr).toBe(0);
    output = run.stdout;
    sections = Object.fromEntries(output.split(/^## /m).slice(1).map((s) => [s.slice(0, s.indexOf('\n')), s]));
    expect(Object.keys(sections)).toEqual(['Dropout', 'BatchNorm1d', 'BatchNorm2d']);
  }, 60_000);

  it('is seeded: a second run prints the same', () => {
    expect(example('seed-regularisation').stdout).toBe(output);
  });

  it('feeds dropout an integer input through Linear(4, 4) and sigmoid', () => {
    const x = printed(sections.Dropout, 'x = randint(0, 10, (2, 4))');
    expect(x.shape).toEqual([2, 4]);
    expect(x.values.every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    const y = printed(sections.Dropout, 'y = sigmoid(Linear(4, 4)(x))');
    expect(y.values.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it("Dropout(0.4): train mode zeroes some elements and scales the rest by 1/(1 − p); eval mode is the identity", () => {
    const y = printed(sections.Dropout, 'y = sigmoid(Linear(4, 4)(x))').values;
    const train = printed(sections.Dropout, 'dropout.train()').values;
    const zeroed = train.filter((v) => v === 0).length;
    expect(zeroed).toBeGreaterThan(0);
    expect(zeroed).toBeLessThan(train.length);
    // Printed to 4 decimals: each survivor is y/(1 − 0.4) up to rounding.
    train.forEach((v, i) => v !== 0 && expect(Math.abs(v - y[i] / 0.6), `element ${i}`).toBeLessThan(2e-4));
    expect(sections.Dropout).toContain('survivors ÷ their inputs: 1.6667');
    expect(printed(sections.Dropout, 'dropout.eval()').values).toEqual(y);
  });

  it('BatchNorm1d(4) after Linear(2, 4): batch statistics in train mode, running ones after one step in eval mode', () => {
    const section = sections.BatchNorm1d;
    const h = printed(section, 'h = Linear(2, 4)(input)');
    expect(h.shape).toEqual([3, 4]);
    const columns = byAxis1(h.values, h.shape);
    const train = byAxis1(printed(section, 'bn.train()').values, h.shape);
    expectAllClose(train.map(mean), [0, 0, 0, 0], 1e-3, 'train-mode column means');
    expectAllClose(train.map((c) => variance(c, false)), [1, 1, 1, 1], 2e-3, 'train-mode biased column variances');

    expect(line(section, 'num_batches_tracked')).toEqual([1]);
    const runningMean = line(section, 'running_mean');
    const runningVar = line(section, 'running_var');
    expectAllClose(runningMean, columns.map((c) => 0.1 * mean(c)), 2e-4, 'running_mean = 0.1·batch mean');
    expectAllClose(runningVar, columns.map((c) => 0.9 + 0.1 * variance(c, true)), 2e-4, 'running_var = 0.9 + 0.1·unbiased var');

    const evaluated = printed(section, 'bn.eval()').values;
    const expected = h.values.map((v, i) => (v - runningMean[i % 4]) / Math.sqrt(runningVar[i % 4] + 1e-5));
    expectAllClose(evaluated, expected, 1e-3, 'eval output = (h − running_mean)/√(running_var + eps)');
  });

  it('BatchNorm2d(2) on a [1, 2, 3, 4] input: per-channel statistics over N, H and W', () => {
    const section = sections.BatchNorm2d;
    const image = printed(section, 'image = randint(0, 10, (1, 2, 3, 4))');
    expect(image.shape).toEqual([1, 2, 3, 4]);
    const train = printed(section, 'bn2.train()');
    expect(train.shape).toEqual([1, 2, 3, 4]);
    const channels = byAxis1(train.values, train.shape);
    expectAllClose(channels.map(mean), [0, 0], 1e-3, 'train-mode channel means');
    expectAllClose(channels.map((c) => variance(c, false)), [1, 1], 2e-3, 'train-mode channel variances');
    expect(line(section, 'num_batches_tracked')).toEqual([1]);
    const inputs = byAxis1(image.values, image.shape);
    expectAllClose(line(section, 'running_mean'), inputs.map((c) => 0.1 * mean(c)), 2e-4, 'running_mean');
    expectAllClose(line(section, 'running_var'), inputs.map((c) => 0.9 + 0.1 * variance(c, true)), 2e-4, 'running_var');
  });
});

const kaggleCsv = path.join(repoRoot, '../shared/data/mobile-price/train.csv');
const onKaggle = existsSync(kaggleCsv);
const python = '/usr/bin/python3';
const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

const csvName = onKaggle ? 'the Kaggle CSV' : 'the synthetic data/phone-price.csv, the Kaggle CSV being absent';
describe(`npm run example -- seed-phone-price --epochs 2 (on ${csvName})`, () => {
  let output: string;
  let pth: string;

  beforeAll(async () => {
    const run = example('seed-phone-price', ['--epochs', '2']);
    expect(run.status, run.stderr).toBe(0);
    output = run.stdout;
    pth = path.join(run.out, 'model', 'phone.pth');
    await ready();
  }, 60_000);

  it('says which CSV it read, and splits it 1600/400', () => {
    expect(output).toMatch(onKaggle ? /^data: the Kaggle CSV/m : /^data: the synthetic CSV data\/phone-price\.csv/m);
    expect(output).toContain('train: 1600 rows in 200 batches of 8; test: 400 rows');
  });

  it("prints the course model's named parameters in PyTorch's order, with their shapes", () => {
    expect(output).toContain(
      [
        'linear1.weight torch.Size([128, 20])',
        'linear1.bias torch.Size([128])',
        'linear2.weight torch.Size([256, 128])',
        'linear2.bias torch.Size([256])',
        'output.weight torch.Size([4, 256])',
        'output.bias torch.Size([4])',
        '',
      ].join('\n'),
    );
  });

  it('prints the summary in torchsummary’s layout for input_size=(16, 20)', () => {
    const total = 20 * 128 + 128 + (128 * 256 + 256) + (256 * 4 + 4);
    expect(output).toContain(`Total params: ${total.toLocaleString('en-US')}\n`);
    expect(output).toContain('            Linear-1              [-1, 16, 128]           2,688\n');
    expect(output).toContain('   PhonePriceModel-4                [-1, 16, 4]               0\n');
  });

  it('prints each epoch’s loss (its last batch’s, as the course) and time, and the loss comes down', () => {
    const epochs = [...output.matchAll(/^epoch (\d+)\/2 {2}loss (\d+\.\d{4}) {2}time (\d+\.\d{2}) s$/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2]);
    // Raw features in the thousands give an untrained model a loss in the tens (the L1 term adds about 1.5): after
    // an epoch of SGD at 1e-3 it is down to about 3.
    const losses = epochs.map((m) => Number(m[2]));
    expect(losses.every((loss) => loss < 5), `losses ${losses}`).toBe(true);
  });

  it('saves model/phone.pth with the state dict’s keys and shapes', async () => {
    expect(existsSync(pth)).toBe(true);
    expect(output).toContain(`saved ${pth}`);
    const dict = await load(readFileSync(pth));
    expect(Object.entries(dict).map(([key, t]) => [key, t.shape])).toEqual([
      ['linear1.weight', [128, 20]],
      ['linear1.bias', [128]],
      ['linear2.weight', [256, 128]],
      ['linear2.bias', [256]],
      ['output.weight', [4, 256]],
      ['output.bias', [4]],
    ]);
  });

  it.skipIf(!hasTorch)('writes a phone.pth that PyTorch loads with weights_only=True (skips without python3-torch)', () => {
    const script = [
      'import sys, torch',
      'sd = torch.load(sys.argv[1], weights_only=True)',
      'print(type(sd).__name__, ";".join(f"{k}:{tuple(v.shape)}:{v.dtype}" for k, v in sd.items()))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, pth], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(
      'OrderedDict linear1.weight:(128, 20):torch.float32;linear1.bias:(128,):torch.float32;' +
        'linear2.weight:(256, 128):torch.float32;linear2.bias:(256,):torch.float32;' +
        'output.weight:(4, 256):torch.float32;output.bias:(4,):torch.float32',
    );
  });

  it('reloads phone.pth into a fresh model that predicts the 400 held-out rows as the trained one did', () => {
    const accuracy = (which: string) => {
      const match = new RegExp(`held-out rows, ${which} model: +(\\d\\.\\d{4}) \\((\\d+)/400\\)`).exec(output);
      expect(match, `no ${which} accuracy in:\n${output}`).not.toBeNull();
      return Number(match![2]);
    };
    const trained = accuracy('trained');
    expect(accuracy('reloaded')).toBe(trained);
    expect(trained).toBeGreaterThan(0);
    expect(output).toContain("the reloaded model's predictions equal the trained model's on 400/400 rows");
  });
});

// test/readme.test.ts runs the README's ```ts blocks with plain node, which cannot run type annotations; the course's
// loop is TypeScript with types, in a ```typescript block, and is run here instead (with tsx, against the source).
describe("README: the course's loop in TypeScript, beside the Python", () => {
  it('runs as written on the synthetic CSV (2 of its 50 epochs), prints as the course, and saves model/phone.pth', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1]);
    const course = blocks.filter((block) => block.includes('class PhonePriceModel extends nn.Module'));
    expect(course).toHaveLength(1);
    const [code] = course;
    expect(code).toContain("from 'edgeml';");
    expect(code).toContain('epoch < 50;');
    const project = mkdtempSync(path.join(tmpdir(), 'edgeml-readme-course-'));
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(repoRoot, path.join(project, 'node_modules/edgeml'), 'dir'); // the package's sample data
    writeFileSync(
      path.join(project, 'course.mts'),
      code.replace("from 'edgeml';", `from ${JSON.stringify(path.join(repoRoot, 'sdk/index.ts'))};`).replace('epoch < 50;', 'epoch < 2;'),
    );
    const run = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['course.mts'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^linear1\.weight \[ 128, 20 \]\nlinear1\.bias \[ 128 \]\nlinear2\.weight \[ 256, 128 \]\n/);
    expect(run.stdout).toContain('Total params: 36,740\n');
    expect(run.stdout).toMatch(/^epoch 1: loss \d+\.\d{4}, \d+\.\d{2} s\nepoch 2: loss \d+\.\d{4}, \d+\.\d{2} s\naccuracy 0\.\d{4}\n$/m);
    expect(existsSync(path.join(project, 'model/phone.pth'))).toBe(true);
  });
});
