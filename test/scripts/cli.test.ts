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
    expect(readFileSync(path.join(out, 'training.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*polyline/);
  });

  it('reloads the bundle and scores it on a labelled CSV through npm run evaluate', () => {
    const evaluated = run('evaluate', ['--model', out, '--data', 'data/phone-price.csv', '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const { accuracy, rows } = JSON.parse(evaluated.stdout);
    expect(rows).toBe(2000);
    expect(accuracy).toBeGreaterThan(0.25);
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--epochs', '500', '--out', out], {
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
    const diverged = run('train', ['--epochs', '5', '--lr', '1e30', '--optimizer', 'sgd', '--no-standardize', '--out', out]);
    expect(diverged.status).toBe(1);
    expect(diverged.stderr).toContain('lower the learning rate');
    expect(readFileSync(path.join(out, 'model.json'), 'utf8')).toBe(before);
  });

  it('rejects unknown options and bad values with the usage text', () => {
    const unknown = run('train', ['--epoch', '3']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--epoch'");
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
