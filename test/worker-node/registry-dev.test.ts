// The registry end to end under the real `wrangler dev`: a bundle published with `npm run publish-model` is served
// at once with the SDK's own outputs, and is still served after a restart on the same local R2 state.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWrangler, type WranglerServer } from '../../scripts/wrangler.mjs';
import { ready } from '../../sdk/backend';
import { load } from '../../sdk/bundle/load';
import { repoRoot } from '../helpers/fixtures';

const ADMIN = 'e2e-admin-token';
const BUNDLE = path.join(repoRoot, 'worker/models/phone-price');
const NAME = 'phone-e2e';

/** Runs the publish-model CLI; resolves with its exit code and output. */
function publishModel(url: string, token = ADMIN): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['--import', 'tsx', 'scripts/publish-model.ts', '--bundle', BUNDLE, '--name', NAME, '--url', url];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, EDGEML_ADMIN_TOKEN: token } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('publishing to npm start', () => {
  let state: string;
  let server: WranglerServer | undefined;
  const start = async () => (server = await startWrangler({ readyTimeoutMs: 90_000, vars: { EDGEML_ADMIN_TOKEN: ADMIN }, persistTo: state }));

  beforeAll(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'edgeml-r2-'));
    await ready();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(state, { recursive: true, force: true });
  }, 30_000);

  it('serves a published bundle from the next request with the SDK\'s outputs, and after a restart', async () => {
    await start();
    const url = server!.url;
    const refused = await publishModel(url, 'wrong-token');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*bearer token is missing or wrong/m);

    const published = await publishModel(url);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`published ${NAME} version 1 (active)`);

    const sdk = await load(BUNDLE);
    const rows = [Array(sdk.features.length).fill(1), sdk.features.map((_, i) => i * 100)];
    const expected = sdk.predict(rows);
    sdk.dispose();
    const predict = async () => {
      const response = await fetch(`${server!.url}/v1/models/${NAME}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ instances: rows }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { predictions: typeof expected }).predictions;
    };
    const first = await predict(); // the next request (npm run bench -- registry times it)
    for (const [i, prediction] of first.entries()) {
      expect(prediction.class).toBe(expected[i].class);
      prediction.probabilities.forEach((p, j) => expect(p).toBeCloseTo(expected[i].probabilities[j], 6));
    }

    await server!.stop();
    await start();
    expect(await predict()).toEqual(first);
    const details = (await (await fetch(`${server!.url}/v1/models/${NAME}`)).json()) as { served: unknown };
    expect(details.served).toEqual({ source: 'registry', version: 1 });
  }, 240_000);
});
