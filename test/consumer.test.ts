// edgeml as a user gets it: `npm pack` (which builds dist/ through prepack) unpacked into a TypeScript project of
// their own, type-checked under each module resolution a project may use, and required from CommonJS.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/fixtures';

// Inside the repository (test-artifacts/ is git-ignored), so that edgeml's own dependencies resolve from the
// repository's node_modules, as they would from the consumer's after `npm install edgeml`.
const project = path.join(repoRoot, 'test-artifacts', 'consumer');
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

const uses = `
import { bundle, data, nn, tf, train } from 'edgeml';
import { fromBytes, type Manifest } from 'edgeml/serve';
export const read: Promise<data.Dataset> = data.readCsv('phones.csv', { target: 'price_range' });
export const model = new nn.Sequential(new nn.Linear(20, 8), new nn.ReLU(), new nn.Linear(8, 4));
export const out: tf.Tensor = model.forward(tf.zeros([1, 20]));
export const evaluate: typeof train.evaluate = train.evaluate;
export const load: (dir: string) => Promise<bundle.Bundle> = bundle.load;
export const parse: typeof fromBytes = fromBytes;
export type Labels = Manifest['labels'];
`;
// If the declarations did not resolve, every edgeml type would be `any` and this would compile.
const misuse = `
import { data } from 'edgeml';
export const rows: number = data.readCsv;
`;

const settings = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

function typecheck(resolution: keyof typeof settings, source: string, { skipLibCheck = false } = {}) {
  const dir = path.join(project, `${resolution}-${skipLibCheck ? 'skip' : 'check'}-${source === misuse ? 'misuse' : 'uses'}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(path.join(dir, 'main.ts'), source);
  const compilerOptions = { ...settings[resolution], target: 'es2022', strict: true, noEmit: true, skipLibCheck, types: ['node'] };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
  return spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

describe('edgeml installed from npm pack', () => {
  beforeAll(() => {
    rmSync(project, { recursive: true, force: true });
    const installed = path.join(project, 'node_modules', 'edgeml');
    mkdirSync(installed, { recursive: true });
    // The default `npm pack`, lifecycle scripts included: prepack must build dist/, which git ignores.
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(packed.slice(packed.search(/^\[/m))); // after the build's own lines
    execFileSync('tar', ['-xzf', path.join(project, filename), '-C', installed, '--strip-components', '1']);
  }, 300_000);

  it('ships every file its README snippets read (node_modules/edgeml/…)', () => {
    const readme = readFileSync(path.join(project, 'node_modules', 'edgeml', 'README.md'), 'utf8');
    const named = [...readme.matchAll(/'node_modules\/edgeml\/([^']+)'/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(1);
    expect(named.filter((file) => !existsSync(path.join(project, 'node_modules', 'edgeml', file)))).toEqual([]);
  });

  it('ships the built entries and their declarations', () => {
    const dist = readdirSync(path.join(project, 'node_modules', 'edgeml', 'dist'));
    expect(dist).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'serve.js', 'serve.d.ts']));
  });

  describe.each(Object.keys(settings) as (keyof typeof settings)[])('under "moduleResolution": "%s"', (resolution) => {
    it('type-checks a project that uses edgeml and edgeml/serve', () => {
      const run = typecheck(resolution, uses, { skipLibCheck: true });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    });

    it("finds no error in edgeml's own declarations without skipLibCheck", () => {
      // tfjs 4.22's own .d.ts fail a full check (Long, EmscriptenModule, tfjs-layers' LayersModel): not ours to fix.
      const errors = typecheck(resolution, uses).stdout.split('\n').filter((line) => /error TS/.test(line));
      expect(errors.filter((line) => !line.includes('node_modules/@tensorflow/'))).toEqual([]);
    });

    it('rejects a misuse of an edgeml type, with skipLibCheck too', () => {
      const run = typecheck(resolution, misuse, { skipLibCheck: true });
      expect(run.status).not.toBe(0);
      expect(run.stdout.trim()).toMatch(/^main\.ts\(3,14\): error TS2322: Type '\(path: string[^\n]*' is not assignable to type 'number'\.$/);
    });
  });

  it('tells a CommonJS caller of edgeml to use import(), and serves edgeml/serve to require', () => {
    const require = (specifier: string) =>
      spawnSync(process.execPath, ['-e', `console.log(Object.keys(require('${specifier}')).length)`], { cwd: project, encoding: 'utf8' });
    const main = require('edgeml');
    expect(main.status).not.toBe(0);
    expect(main.stderr).toContain('Use import() instead');
    const serve = require('edgeml/serve');
    expect(serve.status, serve.stderr).toBe(0);
    expect(Number(serve.stdout)).toBeGreaterThan(10);
  });
});
