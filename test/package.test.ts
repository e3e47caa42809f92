import { spawnSync } from 'node:child_process';
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

  it('decides for every installed package with install scripts whether they run (allowScripts), so npm install is quiet', () => {
    // esbuild and workerd: their postinstall only checks (offline) the platform binary npm installed beside them.
    // sharp (miniflare's, unused here) finds its prebuilt binary without its script; core-js's prints an advert.
    expect(pkg.allowScripts).toEqual({ esbuild: true, workerd: true, sharp: false, 'core-js': false });
    const pending = spawnSync('npm', ['approve-scripts', '--allow-scripts-pending'], { cwd: repoRoot, encoding: 'utf8' });
    expect(pending.stdout + pending.stderr).toContain('No packages with unreviewed install scripts');
  });

  it('builds dist/ whenever it is packed, since git ignores it', () => {
    expect(pkg.scripts.prepack).toBe('node scripts/build.mjs');
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

  it('scripts/ reach the SDK only through its public entries, as a user of the package would', () => {
    const entries = new Set(['sdk/index', 'sdk/serve']);
    const scripts = readdirSync(path.join(repoRoot, 'scripts'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|mts|mjs)$/.test(file))
      .map((file) => path.join('scripts', file));
    expect(scripts).toContain(path.join('scripts', 'train.ts'));
    const deep = scripts.flatMap((file) =>
      [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/(?:\bfrom|\bimport\(?)\s*'([^']+)'/g)]
        .map((m) => path.relative(repoRoot, path.resolve(repoRoot, path.dirname(file), m[1])).replace(/\.[mc]?[jt]s$/, ''))
        .filter((target) => target.startsWith('sdk/') && !entries.has(target))
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
