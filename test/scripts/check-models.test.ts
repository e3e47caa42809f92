import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures';

const check = (dir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-models.ts', '--dir', dir], { cwd: repoRoot, encoding: 'utf8' });

function copyOfModels(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'edgeml-models-')), 'models');
  cpSync(path.join(repoRoot, 'worker/models'), dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return dir;
}

describe('npm run check-models (run by wrangler before every build)', () => {
  it('accepts the committed bundles', () => {
    const run = check('worker/models');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/ok {2}worker\/models\/phone-price/);
    expect(run.stdout).toMatch(/ok {2}worker\/models\/features/);
  });

  it('stops on a weights file with one flipped byte, naming the bundle and the digest', () => {
    const dir = copyOfModels();
    const weights = path.join(dir, 'phone-price/model.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(weights, bytes);
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`bundle ${path.join(dir, 'phone-price')}`);
    expect(run.stderr).toContain('the weights file is corrupt or does not belong to this manifest');
  });

  it('stops on a manifest from a newer edgeml', () => {
    const dir = copyOfModels();
    const manifestPath = path.join(dir, 'features/model.json');
    writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, 'utf8')), version: 99 }));
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/format version 99; this edgeml reads versions 1 to 2/);
  });
});
