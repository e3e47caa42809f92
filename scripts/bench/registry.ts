/**
 * `registry`: a model published to the Worker's R2 registry (local, under wrangler dev) against the same bundle built
 * in: how long after the upload's 201 its first prediction takes (fetch from R2, build) next to a warm prediction,
 * and warm requests/s of the published model ÷ the built-in one, each round measuring both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundle } from '../../sdk/index';
import { ROOT, exampleInstance, startWrangler } from '../wrangler.mjs';
import { load, type Target } from './http';
import { median } from './lib';

const TOKEN = 'bench-admin-token';
const BUNDLE = path.join(ROOT, 'worker/models/phone-price');
const CONNECTIONS = 8;
const SECONDS = 8;

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const state = await mkdtemp(path.join(tmpdir(), 'edgeml-bench-r2-'));
  const server = await startWrangler({ readyTimeoutMs: 120_000, vars: { EDGEML_ADMIN_TOKEN: TOKEN }, persistTo: state });
  const body = JSON.stringify({ instances: [Object.values(exampleInstance())] });
  const predict = (model: string): Target => ({
    name: model,
    path: `/v1/models/${model}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const once = async (model: string) => {
    const started = performance.now();
    const response = await fetch(server.url + predict(model).path, { method: 'POST', headers: predict(model).headers, body });
    if (response.status !== 200) throw new Error(`${model} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  try {
    await once('phone-price');
    const first: number[] = [];
    const warm: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const name = `phone-${r}`;
      await bundle.publish(BUNDLE, { url: server.url, name, token: TOKEN });
      first.push(await once(name));
      for (let i = 0; i < 20; i++) warm.push(await once(name));
    }
    console.log(`\n### After the upload's 201: ${repeats} models published, median\n`);
    console.log('| request | latency |');
    console.log('|---|---:|');
    console.log(`| first predict of the new version (R2 read + build) | ${median(first).toFixed(1)} ms |`);
    console.log(`| warm predict of it | ${median(warm).toFixed(1)} ms |`);
    console.log(`| added by the first | +${(median(first) - median(warm)).toFixed(1)} ms |`);

    console.log(`\n### Warm throughput: autocannon, ${CONNECTIONS} connections, ${SECONDS} s, 1 row, median of ${repeats}\n`);
    const models = { 'phone-price': 'phone-price, built in', 'phone-0': 'phone-0, the same bundle published to the registry' };
    const rates: Record<string, number[]> = { 'phone-price': [], 'phone-0': [] };
    const failed: Record<string, Record<number, number>> = { 'phone-price': {}, 'phone-0': {} };
    for (let r = 0; r < repeats; r++) {
      for (const model of Object.keys(rates)) {
        const result = await load(server.url, predict(model), { connections: CONNECTIONS, duration: SECONDS });
        rates[model].push(result.requests.average);
        for (const [status, count] of Object.entries(result.statuses)) {
          if (status !== '200') failed[model][Number(status)] = (failed[model][Number(status)] ?? 0) + count;
        }
        if (result.errors + result.timeouts > 0) failed[model][0] = (failed[model][0] ?? 0) + result.errors + result.timeouts;
      }
    }
    const builtIn = median(rates['phone-price']);
    console.log('| model | requests/s | ÷ built-in | other answers (status: count; 0 = no answer) |');
    console.log('|---|---:|---:|---:|');
    for (const [model, what] of Object.entries(models)) {
      const rate = median(rates[model]);
      const other = Object.entries(failed[model]).map(([status, count]) => `${status}: ${count}`).join(', ') || 'none';
      console.log(`| ${what} | ${rate.toFixed(0)} | ${(rate / builtIn).toFixed(2)}× | ${other} |`);
    }
    const logged = server.output().split('\n').filter((line) => /edgeml:/.test(line));
    if (logged.length > 0) console.log(`\nThe Worker logged:\n${logged.slice(0, 10).join('\n')}`);
  } finally {
    await server.stop();
    await rm(state, { recursive: true, force: true });
  }
}
