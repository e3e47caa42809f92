import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures';

const start = (env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['scripts/dev.mjs', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

describe('npm start', () => {
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    // Whatever else holds the port: it answers HTTP, as a stale wrangler dev would.
    holder = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('fails on a busy port, saying so and how to pick another, instead of claiming to serve', () => {
    const run = start({ PORT: String(port) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cannot serve on port ${port}: 127.0.0.1:${port} is already in use`);
    expect(run.stderr).toContain(`PORT=${port + 1} npm start`);
    expect(run.stdout).not.toContain('edgeml is serving');
  });

  it('has --help with the port default and an example', () => {
    const run = start({}, ['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('(default 8787)');
    expect(run.stdout).toMatch(/\nExample:\n {2}PORT=\d+ npm start/);
  });

  it('refuses arguments it does not take', () => {
    const run = start({}, ['--port', '9000']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('set PORT to change the port');
  });
});
