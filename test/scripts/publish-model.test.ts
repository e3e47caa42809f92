import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorAnswer, startFakeRegistry, type FakeRegistry } from '../helpers/fake-registry';
import { repoRoot } from '../helpers/fixtures';

const PHONE = 'worker/models/phone-price';

/**
 * Runs the CLI with `token` as EDGEML_ADMIN_TOKEN (none if undefined). Asynchronously: the fake registry answers
 * from this process, which spawnSync would block.
 */
function publishModel(args: string[], token?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, EDGEML_ADMIN_TOKEN: token };
  if (token === undefined) delete env.EDGEML_ADMIN_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/publish-model.ts', ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run publish-model', () => {
  let registry: FakeRegistry;
  beforeAll(async () => (registry = await startFakeRegistry()));
  afterAll(() => registry.close());
  beforeEach(() => registry.reset());

  it('uploads the bundle with the token from EDGEML_ADMIN_TOKEN and prints the version, its URL and sha256', async () => {
    const run = await publishModel(['--bundle', PHONE, '--name', 'phones', '--url', registry.url], 'cli-token');
    expect(run.status, run.stderr).toBe(0);
    const { sha256 } = JSON.parse(readFileSync(path.join(repoRoot, PHONE, 'model.json'), 'utf8')).weights;
    expect(run.stdout).toBe(`published phones version 1 (active) — ${registry.url}/v1/models/phones/versions/1\nsha256 ${sha256}\n`);
    expect(registry.requests.map((r) => [r.method, r.path, r.authorization])).toEqual([['PUT', '/v1/models/phones', 'Bearer cli-token']]);
  });

  it("exits 1 with the registry's message on stderr when it refuses the token", async () => {
    registry.answer = () => errorAnswer(401, 'unauthorized', 'the bearer token is missing or wrong');
    const run = await publishModel(['--bundle', PHONE, '--url', registry.url]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: the bearer token is missing or wrong \(401 unauthorized\): .*EDGEML_ADMIN_TOKEN.*none was sent\n$/);
    expect(registry.requests[0].authorization).toBeUndefined();
  });

  it('exits 2 with the usage for a missing --bundle or a bad --name, before any request', async () => {
    const missing = await publishModel(['--name', 'phones', '--url', registry.url], 't');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error: --bundle is required\n\nUsage: npm run publish-model');
    const badName = await publishModel(['--bundle', PHONE, '--name', 'two words', '--url', registry.url], 't');
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain('name "two words" is not a registry name');
    expect(badName.stderr).toContain('Usage: npm run publish-model');
    expect(registry.requests).toEqual([]);
  });

  it('prints its usage for --help, naming the token variable and the local default URL', async () => {
    const run = await publishModel(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run publish-model/);
    expect(run.stdout).toContain('EDGEML_ADMIN_TOKEN');
    expect(run.stdout).toContain('default http://127.0.0.1:8787');
  });
});
