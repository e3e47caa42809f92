import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/fixtures';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

describe('package.json', () => {
  it('exports the Worker app as edgeml/worker, from files the package ships', () => {
    expect(pkg.exports['./worker']).toBe('./worker/app.ts');
    expect(existsSync(path.join(repoRoot, pkg.exports['./worker']))).toBe(true);
    expect(pkg.files).toContain('worker/*.ts');
    expect(pkg.files).toContain('sdk'); // worker/app.ts imports the SDK's sources
  });

  it('pins every dependency to an exact version, wrangler to 4.86.x (newer needs Node 22)', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    expect(Object.entries(all).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version))).toEqual([]);
    expect(all.wrangler).toMatch(/^4\.86\./);
  });
});
