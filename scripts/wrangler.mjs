// Runs the Worker under the project's own `wrangler dev` (local workerd), offline and non-interactive, for
// `npm start` (scripts/dev.mjs), the smoke test (test/worker-node) and scripts/smoke-worker.mjs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** No login (local mode needs no account), no telemetry or error-report prompt, no update check, no request.cf fetch. */
export const WRANGLER_ENV = {
  CI: 'true', // non-interactive: no hotkeys, no prompts
  WRANGLER_SEND_METRICS: 'false', // no telemetry (wrangler.toml also says send_metrics = false)
  WRANGLER_SEND_ERROR_REPORTS: 'false', // no Sentry prompt/report on a crash
  WRANGLER_HIDE_BANNER: 'true', // the banner is what runs the npm update check
  CLOUDFLARE_CF_FETCH_ENABLED: 'false', // use miniflare's placeholder request.cf instead of fetching it
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

/**
 * Starts `wrangler dev` on `host:port` (a free port when `port` is 0) in its own process group and resolves once
 * GET `readyPath` answers 200; the default, /healthz, also starts the tfjs backend. Rejects, after stopping it, if wrangler exits or
 * does not get there within `readyTimeoutMs`, or `signal` aborts first; the error's message ends with wrangler's
 * output. With `echo`, wrangler's output is also copied to this process's stdout/stderr. `vars` are bindings
 * (e.g. { EDGEML_ADMIN_TOKEN: '…' }) given with --var; `persistTo` is the folder of the local R2 state (default
 * .wrangler/state, which is what keeps a model published to `npm start` across restarts). `inspectorPort` is where
 * wrangler serves the V8 inspector of the Worker (default: a port of wrangler's choosing); `minify` overrides
 * wrangler.toml's `minify`, e.g. false to keep function names readable in a profile.
 */
export async function startWrangler({
  host = '127.0.0.1',
  port = 0,
  readyPath = '/healthz',
  readyTimeoutMs = 60_000,
  echo = false,
  vars = {},
  persistTo,
  inspectorPort,
  minify,
  signal,
} = {}) {
  // wrangler itself would print "Address already in use" and exit while whatever holds the port answers readyPath.
  if (port !== 0) await assertPortFree(host, port);
  const listenPort = port === 0 ? await freePort(host) : port;
  const url = `http://${host}:${listenPort}`;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      wranglerBin(),
      'dev',
      '--ip',
      host,
      '--port',
      String(listenPort),
      '--show-interactive-dev-session=false',
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
      ...(persistTo === undefined ? [] : ['--persist-to', persistTo]),
      ...(inspectorPort === undefined ? [] : ['--inspector-port', String(inspectorPort)]),
      ...(minify === undefined ? [] : [`--minify=${minify}`]),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...WRANGLER_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so stop() reaches workerd and esbuild too
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    if (echo) process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
    if (echo) process.stderr.write(chunk);
  });
  let exit;
  child.on('exit', (code, signal) => (exit = { code, signal }));

  const server = { url, pid: child.pid, readyMs: 0, output: () => output, stop: () => stopGroup(child.pid) };
  try {
    for (;;) {
      if (signal?.aborted) throw new Error('start-up was cancelled');
      if (/address already in use/i.test(output)) throw new PortInUseError(host, listenPort);
      if (exit) throw new Error(`wrangler exited early (${JSON.stringify(exit)})`);
      if (performance.now() - started > readyTimeoutMs) throw new Error(`no answer on ${url} within ${readyTimeoutMs} ms`);
      if (await answers(`${url}${readyPath}`)) break;
      await sleep(200);
    }
  } catch (error) {
    await server.stop();
    if (error instanceof PortInUseError) throw error;
    throw new Error(`${error.message}\n----- wrangler output -----\n${output.trimEnd()}`);
  }
  server.readyMs = performance.now() - started;
  return server;
}

/** The first row of the committed synthetic data set, as an instance keyed by feature name. */
export function exampleInstance() {
  const [header, first] = readFileSync(join(ROOT, 'data', 'phone-price.csv'), 'utf8').split(/\r?\n/);
  const names = header.split(',');
  const values = first.split(',').map(Number);
  return Object.fromEntries(names.map((name, i) => [name, values[i]]).filter(([name]) => name !== 'price_range'));
}

/** The project's own wrangler, run by node directly: `npx` would add an npm process and could reach the registry. */
function wranglerBin() {
  const bin = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  if (!existsSync(bin)) throw new Error(`wrangler is not installed (${bin} is missing): run npm install`);
  return bin;
}

/** Another process listens on the port asked for. */
export class PortInUseError extends Error {
  constructor(host, port) {
    super(`${host}:${port} is already in use by another process`);
    this.port = port;
  }
}

/** Rejects with PortInUseError when something already listens on host:port. */
function assertPortFree(host, port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (error) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** A port on `host` that nothing listens on right now. */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false; // not listening yet
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** SIGTERM the group (wrangler, esbuild, workerd), SIGKILL what is left after 10 s; true once none is left. */
async function stopGroup(pgid) {
  for (const [signal, waitMs] of [['SIGTERM', 10_000], ['SIGKILL', 5_000]]) {
    if (pgid === undefined || !groupAlive(pgid)) return true;
    try {
      process.kill(-pgid, signal);
    } catch {}
    for (let waited = 0; waited < waitMs && groupAlive(pgid); waited += 100) await sleep(100);
  }
  return !groupAlive(pgid);
}
