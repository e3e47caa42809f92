import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures';

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('npm run train', () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'edgeml-train-')), 'phone-price');

  it('trains, prints progress and the summary, writes the bundle and curves, and reports JSON on stdout', () => {
    const trained = run('train', ['--epochs', '3', '--batch-size', '64', '--hidden', '16', '--out', out, '--json']);
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/epoch 1\/3 {2}loss \d+\.\d{4}/);
    expect(trained.stderr).toContain('Total params: 404');
    const report = JSON.parse(trained.stdout);
    expect(Object.keys(report)).toEqual(['test_accuracy', 'train_seconds', 'epochs', 'confusion']);
    expect(report.epochs).toBe(3);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(400);
    const manifest = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(manifest.metrics.test_accuracy).toBe(report.test_accuracy);
    expect(manifest.training.data.path).toBe('data/phone-price.csv');
    expect(manifest.labels).toEqual(['low cost', 'medium cost', 'high cost', 'very high cost']); // price_range's names
    expect(readFileSync(path.join(out, 'training.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*polyline/);
  });

  it('refuses to replace an existing bundle without --force, before training', () => {
    const before = readFileSync(path.join(out, 'model.safetensors'));
    const refused = run('train', ['--epochs', '1', '--out', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`--out ${out} already holds a bundle; pass --force to replace it`);
    expect(refused.stdout).not.toContain('epoch 1/');
    expect(readFileSync(path.join(out, 'model.safetensors')).equals(before)).toBe(true);
  });

  it('writes to a git-ignored folder by default, never to the served model', () => {
    const help = run('train', ['--help']).stdout;
    const fallback = /--out DIR .*\(default ([^)]+)\)/.exec(help)![1];
    expect(fallback).not.toMatch(/^worker\//);
    expect(spawnSync('git', ['check-ignore', '-q', `${fallback}/model.json`], { cwd: repoRoot }).status).toBe(0);
  });

  it('scores only the held-out rows recorded in the bundle through npm run evaluate, and says so', () => {
    const trained = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).metrics;
    const evaluated = run('evaluate', ['--model', out, '--data', 'data/phone-price.csv', '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const heldOut = JSON.parse(evaluated.stdout);
    expect(heldOut.rows).toBe(400);
    expect(heldOut.scored).toContain('held-out rows of 2000 (split seed 88, train size 0.8');
    expect(heldOut.accuracy).toBe(trained.test_accuracy); // the same rows train.ts scored as its test split
    expect(heldOut.confusion).toEqual(trained.confusion);

    const all = JSON.parse(run('evaluate', ['--model', out, '--all', '--json']).stdout); // --data from the bundle
    expect(all.rows).toBe(2000);
    expect(all.scored).toContain('training rows included');
  });

  it('scores every row of a CSV the bundle was not trained on', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edgeml-other-'));
    const csv = path.join(dir, 'other.csv');
    writeFileSync(csv, readFileSync(path.join(repoRoot, 'data/phone-price.csv'), 'utf8').split('\n').slice(0, 101).join('\n') + '\n');
    const evaluated = JSON.parse(run('evaluate', ['--model', out, '--data', csv, '--json']).stdout);
    expect(evaluated.rows).toBe(100);
    expect(evaluated.scored).toContain('not the data it was trained on');
  });

  it('exits non-zero with the CSV error and writes nothing on bad data', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edgeml-bad-'));
    const csv = path.join(dir, 'bad.csv');
    writeFileSync(csv, 'ram,price_range\n100,1\nabc,2\n');
    const target = path.join(dir, 'model');
    const failed = run('train', ['--data', csv, '--out', target]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/bad\.csv.*line 3.*"ram"/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(target)).toBe(false);
  });

  it('leaves the previous bundle untouched when training is interrupted with Ctrl-C', async () => {
    const before = readFileSync(path.join(out, 'model.safetensors'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--epochs', '500', '--out', out, '--force'], {
      cwd: repoRoot,
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk) => /epoch +2\//.test(String(chunk)) && resolve()));
    child.kill('SIGINT');
    const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    expect(status).not.toBe(0);
    expect(readFileSync(path.join(out, 'model.safetensors')).equals(before)).toBe(true);
    expect(readdirSync(path.dirname(out))).toEqual(['phone-price']);
  });

  it('leaves the previous bundle untouched when training fails midway', () => {
    const before = readFileSync(path.join(out, 'model.json'), 'utf8');
    const diverged = run('train', ['--epochs', '5', '--lr', '1e30', '--optimizer', 'sgd', '--no-standardize', '--out', out, '--force']);
    expect(diverged.status).toBe(1);
    expect(diverged.stderr).toContain('lower the learning rate');
    expect(readFileSync(path.join(out, 'model.json'), 'utf8')).toBe(before);
  });

  it('rejects unknown options and bad values with the usage text', () => {
    const unknown = run('train', ['--epoch', '3']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown option --epoch; did you mean --epochs?');
    expect(run('evaluate', ['--modle', out]).stderr).toContain('unknown option --modle; did you mean --model?');
    expect(run('train', ['--zzz']).stderr).toMatch(/unknown option --zzz\n/);
    expect(unknown.stderr).toContain('Usage: npm run train');
    const badRecipe = run('train', ['--recipe', 'best']);
    expect(badRecipe.stderr).toContain('--recipe must be course or tuned, got "best"');
    expect(run('train', ['--hidden', '12,x']).stderr).toContain('--hidden takes comma-separated positive integers');
  });

  it('prints its help', () => {
    const help = run('train', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--recipe course|tuned');
  });
});

describe('every CLI', () => {
  // Each of scripts/*.ts that runs as a command (through runCli), the benchmark runner and the course's demos.
  const clis = readdirSync(path.join(repoRoot, 'scripts'))
    .filter((file) => file.endsWith('.ts') && file !== 'cli.ts')
    .filter((file) => /\brunCli\(/.test(readFileSync(path.join(repoRoot, 'scripts', file), 'utf8')))
    .map((file) => file.replace(/\.ts$/, ''))
    .concat('bench/run', 'examples/run');

  it.each(clis)('%s has --help with its options, their defaults and an example', (cli) => {
    const help = run(cli, ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    expect(help.stdout).toMatch(/\n\s+--help\b/);
    expect(help.stdout).toMatch(/\(default/);
    expect(help.stdout).toMatch(/\nExamples?:\n {2}(npm run|npx tsx) /);
  });
});

describe('file and folder options', () => {
  it('names a folder given as --data and suggests the CSV in it, without a stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edgeml-folder-'));
    writeFileSync(path.join(dir, 'train.csv'), 'ram,price_range\n1,0\n');
    for (const script of ['train', 'evaluate']) {
      const failed = run(script, ['--data', dir, ...(script === 'evaluate' ? ['--model', 'worker/models/phone-price'] : ['--out', path.join(dir, 'out')])]);
      expect(failed.status, script).toBe(2);
      expect(failed.stderr).toContain(`--data ${dir} is a folder; name a .csv file in it, such as ${path.join(dir, 'train.csv')}`);
      expect(failed.stderr).not.toMatch(/EISDIR|\n\s+at /);
    }
    expect(run('train', ['--data', path.join(dir, 'absent.csv')]).stderr).toContain('absent.csv: no such file');
  });

  it('asks for the bundle folder when --model names a file', () => {
    const failed = run('evaluate', ['--model', 'worker/models/phone-price/model.json']);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain("name the bundle's folder (the one holding model.json), e.g. worker/models/phone-price");
  });
});
