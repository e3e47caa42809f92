import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/fixtures';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const blocks = (language: string) => [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

describe('README', () => {
  let project: string;

  beforeAll(() => {
    // The snippets import 'edgeml' as a user would: the built package, from a folder of their own.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    project = mkdtempSync(path.join(tmpdir(), 'edgeml-readme-'));
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(repoRoot, path.join(project, 'node_modules/edgeml'), 'dir');
    mkdirSync(path.join(project, 'data')); // the snippets write here; they read the package's own sample data
  }, 120_000);

  it.each(blocks('ts').map((code, i) => [i + 1, code]))('TypeScript snippet %i runs against the built package', (i, code) => {
    const file = path.join(project, `snippet-${i}.mjs`);
    writeFileSync(file, code as string);
    const run = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Error/);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts);
    const named = blocks('sh').flatMap((block) => [...block.matchAll(/npm run ([\w-]+)/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("shows a curl body the predict route accepts: 20 raw feature values", () => {
    const body = JSON.parse(/-d '([^']+)'/.exec(blocks('sh').join('\n'))![1]);
    expect(body.instances).toHaveLength(1);
    expect(body.instances[0]).toHaveLength(20);
  });
});
