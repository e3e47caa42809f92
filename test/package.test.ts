import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

describe('layering', () => {
  const sources = (folder: string): string[] =>
    readdirSync(path.join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => path.join(folder, file));
  const importsOf = (file: string) =>
    [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => m[1]);

  it('worker/ reaches the SDK only through its serving entry, edgeml/serve', () => {
    const deep = sources('worker').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.includes('sdk/') && !/(^|\/)sdk\/serve$/.test(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(deep).toEqual([]);
  });

  it('the serving entry and what it imports use nothing from Node, and nothing from training', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [path.join(repoRoot, 'sdk/serve.ts')],
      bundle: true,
      write: false,
      metafile: true,
      packages: 'external',
      platform: 'neutral',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const external = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(external.filter((target) => target.startsWith('node:'))).toEqual([]);
    expect(inputs.filter((file) => /sdk\/(train|optim|autograd|torch|report|data\/(csv|loader|split))/.test(file))).toEqual([]);
  });
});
