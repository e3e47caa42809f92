/**
 * `load`: 10 000 requests at concurrency 32 against the real Worker under `wrangler dev` (local workerd, loopback
 * only), mixing predictions (1 and 64 rows), images (conv2d, pool, transform of rocket.jpg) and bad requests (each
 * kind of 4xx, including a 1.5 MiB body streamed without Content-Length). Reports requests/s, latency p50/p99, the
 * answers per status and per kind, connection errors, the resident memory of wrangler dev's two workerd processes
 * (the Worker's, also every 1000 requests, and wrangler's proxy) and the tfjs tensor count (GET /healthz) before and
 * after. Image requests may be refused with 429 busy (they take turns per isolate, worker/image/admission.ts).
 * Fails (exit status 1) on any 5xx, connection error or unexpected status. A 503 "Your worker restarted
 * mid-request" comes from wrangler's proxy when its connection to the Worker drops.
 *
 * A hand-written loop over Node's fetch rather than autocannon: autocannon always sends Content-Length, and the mix
 * needs a chunked body. `--repeats` is not used: one measured run (after a warm-up round).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startWrangler, type WranglerServer } from '../wrangler.mjs';
import { countBy, median, percentile } from './lib';

const REQUESTS = 10_000;
const CONCURRENCY = 32;
const WARM_UP = 320;
/** Per request, and for the whole measured run. */
const REQUEST_TIMEOUT_MS = 30_000;
const RUN_DEADLINE_MS = 10 * 60_000;
const MODEL = 'phone-price';

export interface Kind {
  name: string;
  /** Requests of this kind per 100. */
  share: number;
  /** The statuses the Worker may answer. */
  expect: number[];
  request: () => { path: string; init: RequestInit };
}

interface Outcome {
  kind: string;
  status: number | string; // a status, or the connection error's code
  ms: number;
}

export async function run(_options: { repeats: number }): Promise<void> {
  const kinds = mix();
  const schedule = scheduleOf(kinds);

  const started = performance.now();
  const server = await startWrangler({ readyTimeoutMs: 120_000 });
  try {
    const { worker: workerd, proxy } = workerdOf(server);
    console.log(
      `wrangler dev on ${server.url} ready in ${(server.readyMs / 1000).toFixed(1)} s; ` +
        `workerd running the Worker: pid ${workerd ?? 'not found'}; wrangler's proxy workerd: pid ${proxy ?? 'not found'}`,
    );
    console.log(`image: ${IMAGE_SOURCE}`);
    const cold = await snapshot(server, workerd, proxy);
    await drive(server, schedule, WARM_UP);
    const warm = await snapshot(server, workerd, proxy);
    const measuredFrom = performance.now();
    const outputFrom = server.output().length;
    failures.length = 0;
    const timeline: (number | undefined)[] = [];
    const outcomes = await drive(server, schedule, REQUESTS, (done) => {
      if (done % 1000 === 0) timeline.push(rss(workerd).rssKiB);
    });
    const seconds = (performance.now() - measuredFrom) / 1000;
    const end = await snapshot(server, workerd, proxy);
    // wrangler dev rebuilds and restarts the Worker when a source file changes (answering "Your worker restarted
    // mid-request" with a 503): in a checkout being edited, that is not the Worker failing.
    const reloads = server.output().slice(outputFrom).match(/Reloading local server|restarting build/g)?.length ?? 0;

    const latencies = outcomes.map((o) => o.ms);
    const byStatus = countBy(outcomes, (o) => String(o.status));
    const fiveXx = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500).length;
    const connection = outcomes.filter((o) => typeof o.status === 'string').length;
    const unexpected = outcomes.filter((o) => !kinds.find((k) => k.name === o.kind)!.expect.includes(o.status as number));

    console.log(`\n### load: ${outcomes.length} requests, concurrency ${CONCURRENCY}, ${seconds.toFixed(1)} s\n`);
    console.log('| requests/s | latency p50 | p90 | p99 | max | 5xx | connection errors | unexpected status |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| ${(outcomes.length / seconds).toFixed(0)} | ${ms(percentile(latencies, 0.5))} | ${ms(percentile(latencies, 0.9))} | ` +
        `${ms(percentile(latencies, 0.99))} | ${ms(Math.max(...latencies))} | ${fiveXx} | ${connection} | ${unexpected.length} |`,
    );
    console.log(`\nBy status: ${Object.entries(byStatus).map(([status, count]) => `${status} × ${count}`).join(', ')}\n`);
    console.log('| kind | expected | answers | p50 | p99 |');
    console.log('|---|---:|---|---:|---:|');
    for (const kind of kinds) {
      const mine = outcomes.filter((o) => o.kind === kind.name);
      const answers = Object.entries(countBy(mine, (o) => String(o.status))).map(([s, n]) => `${s} × ${n}`).join(', ');
      const times = mine.map((o) => o.ms);
      console.log(`| ${kind.name} | ${kind.expect.join(' or ')} | ${answers} | ${ms(median(times))} | ${ms(percentile(times, 0.99))} |`);
    }
    console.log("\n| | Worker's workerd RSS | its peak RSS | tfjs tensors (/healthz) | wrangler's proxy workerd RSS |");
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, s] of [['after start-up', cold], [`after ${WARM_UP} warm-up requests`, warm], [`after ${outcomes.length} more`, end]] as const) {
      console.log(`| ${name} | ${mib(s.rssKiB)} | ${mib(s.peakKiB)} | ${s.tensors} | ${mib(s.proxyKiB)} |`);
    }
    console.log(`\nThe Worker's workerd RSS after every 1000 requests: ${timeline.map((kib) => mib(kib).replace(' MiB', '')).join(', ')} MiB`);
    console.log(`\nTotal time with start-up: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (reloads > 0) console.log(`\nwrangler reloaded the Worker ${reloads} time(s) during the run: files changed under it.`);
    if (failures.length > 0) console.log(`\nFirst failures:\n${[...new Set(failures)].slice(0, 5).map((f) => `- ${f}`).join('\n')}`);
    const said = server.output().slice(outputFrom).split('\n').filter((line) => line.trim() !== '' && !/^\[wrangler:info\] (GET|POST|PUT|HEAD) /.test(line));
    if (said.length > 0) console.log(`\nwrangler said during the run:\n${said.slice(0, 40).join('\n')}`);

    const problems = [
      reloads && `wrangler reloaded the Worker ${reloads} time(s) (source files changed): measure again in a quiet checkout`,
      fiveXx && `${fiveXx} answers were 5xx`,
      connection && `${connection} requests failed to connect or were cut off`,
      unexpected.length && `${unexpected.length} answers had an unexpected status (first: ${JSON.stringify(unexpected[0])})`,
      end.tensors !== warm.tensors && `the tensor count moved from ${warm.tensors} to ${end.tensors}`,
      outcomes.length < REQUESTS && `only ${outcomes.length} of ${REQUESTS} requests ran before the ${RUN_DEADLINE_MS / 1000} s deadline`,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`load: ${problems.join('; ')}`);
  } finally {
    await server.stop();
  }
}

/* ---------- the request mix ---------- */

const ROOT = process.cwd();
const SHARED_IMAGE = path.resolve(ROOT, '../shared/data/images/rocket.jpg');
const IMAGE_SOURCE = existsSync(SHARED_IMAGE) ? SHARED_IMAGE : path.join(ROOT, 'test/fixtures/bad/rgb-16x12.jpg');
const bad = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/bad', name));

export function mix(): Kind[] {
  const rows = dataRows(64);
  const one = JSON.stringify({ instances: [rows[0]] });
  const many = JSON.stringify({ instances: rows });
  const image = readFileSync(IMAGE_SOURCE);
  const json = { 'Content-Type': 'application/json' };
  const jpeg = { 'Content-Type': 'image/jpeg' };
  const predict = `/v1/models/${MODEL}/predict`;
  const post = (url: string, body: BodyInit, headers: Record<string, string> = json) => () => ({
    path: url,
    init: { method: 'POST', headers, body },
  });
  let next = 0;
  return [
    // Valid requests: 70 in 100.
    { name: 'predict, 1 row', share: 40, expect: [200], request: () => post(predict, JSON.stringify({ instances: [rows[next++ % rows.length]] }))() },
    { name: 'predict, 64 rows', share: 15, expect: [200], request: post(predict, many) },
    { name: 'conv2d sobel_x, image', share: 7, expect: [200, 429], request: post('/v1/image/conv2d?kernel=sobel_x', image, jpeg) },
    { name: 'max pool 4, image', share: 4, expect: [200, 429], request: post('/v1/image/pool?mode=max&kernel_size=4', image, jpeg) },
    { name: 'features transform, image', share: 4, expect: [200, 429], request: post('/v1/models/features/transform', image, jpeg) },
    // Bad requests: 30 in 100.
    { name: 'malformed JSON', share: 4, expect: [400], request: post(predict, one.slice(0, -3)) },
    { name: 'unknown model', share: 3, expect: [404], request: post('/v1/models/nope/predict', one) },
    { name: 'GET on predict', share: 2, expect: [405], request: () => ({ path: predict, init: { method: 'GET' } }) },
    { name: 'text/plain body', share: 3, expect: [415], request: post(predict, one, { 'Content-Type': 'text/plain' }) },
    { name: '1025 instances', share: 2, expect: [413], request: post(predict, JSON.stringify({ instances: Array(1025).fill(rows[0]) })) },
    { name: '1.5 MiB chunked JSON', share: 2, expect: [413], request: () => ({ path: predict, init: chunked(oversized(1.5 * 2 ** 20), json) }) },
    { name: 'invalid values', share: 4, expect: [422], request: post(predict, JSON.stringify({ instances: [rows[0].map((v, i) => (i === 3 ? 'NaN' : v))] })) },
    { name: 'gzip body', share: 2, expect: [415], request: post(predict, gzipSync(one), { ...json, 'Content-Encoding': 'gzip' }) },
    { name: 'corrupt JPEG', share: 3, expect: [422, 429], request: post('/v1/image/conv2d?kernel=blur', bad('truncated.jpg'), jpeg) },
    { name: '10 000² PNG bomb', share: 3, expect: [413, 429], request: post('/v1/image/conv2d', bad('bomb-10000x10000.png'), { 'Content-Type': 'image/png' }) },
    { name: 'not an image', share: 2, expect: [415, 429], request: post('/v1/image/pool?kernel_size=2', bad('not-an-image.txt'), { 'Content-Type': 'image/png' }) },
  ];
}

/** 100 slots, each kind spread evenly over them: the order requests are sent in, cycling. */
export function scheduleOf(kinds: Kind[]): Kind[] {
  const schedule = kinds
    .flatMap((kind, k) => Array.from({ length: kind.share }, (_, i) => ({ k, at: (i + 0.5) / kind.share })))
    .sort((a, b) => a.at - b.at)
    .map(({ k }) => kinds[k]);
  if (schedule.length !== 100) throw new Error(`the mix's shares add up to ${schedule.length}, not 100`);
  return schedule;
}

/** The first `count` rows of data/phone-price.csv as 20 feature values (the target column dropped). */
function dataRows(count: number): number[][] {
  const [header, ...lines] = readFileSync(path.join(ROOT, 'data/phone-price.csv'), 'utf8').trim().split(/\r?\n/);
  const target = header.split(',').indexOf('price_range');
  return lines.slice(0, count).map((line) => line.split(',').map(Number).filter((_, i) => i !== target));
}

/** Valid JSON of `bytes` bytes: only its size is wrong. */
function oversized(bytes: number): Uint8Array {
  const prefix = '{"instances":[],"pad":"';
  return new TextEncoder().encode(`${prefix}${'x'.repeat(bytes - prefix.length - 2)}"}`);
}

/** `body` streamed in 64 KiB chunks: fetch sends it with Transfer-Encoding: chunked, no Content-Length. */
function chunked(body: Uint8Array, headers: Record<string, string>): RequestInit {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= body.length) return controller.close();
      controller.enqueue(body.subarray(at, (at += 64 * 1024)));
    },
  });
  return { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit;
}

/* ---------- driving it ---------- */

/** What the 5xx answers said and how the connection errors went, for the report. */
const failures: string[] = [];

/** Sends `count` requests from `schedule` (in order, cycling) over CONCURRENCY loops; stops at the deadline. */
export async function drive(server: Pick<WranglerServer, 'url'>, schedule: Kind[], count: number, progress = (_done: number) => {}): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + RUN_DEADLINE_MS;
  let issued = 0;
  const loop = async () => {
    while (issued < count && performance.now() < deadline) {
      const kind = schedule[issued++ % schedule.length];
      const { path: url, init } = kind.request();
      const started = performance.now();
      let status: number | string;
      try {
        const response = await fetch(`${server.url}${url}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await response.arrayBuffer();
        status = response.status;
        if (status >= 500) failures.push(`${kind.name}: ${status} ${new TextDecoder().decode(body).slice(0, 200)}`);
      } catch (error) {
        status = connectionError(error);
        failures.push(`${kind.name}: ${String(error)} (${String((error as { cause?: unknown }).cause)})`);
      }
      progress(outcomes.push({ kind: kind.name, status, ms: performance.now() - started }));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return outcomes;
}

function connectionError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `error ${cause?.code ?? cause?.message ?? (error as Error).name ?? String(error)}`;
}

/* ---------- memory and tensors ---------- */

interface Snapshot {
  rssKiB: number | undefined;
  peakKiB: number | undefined;
  proxyKiB: number | undefined;
  tensors: number;
}

async function snapshot(server: WranglerServer, workerd: number | undefined, proxy: number | undefined): Promise<Snapshot> {
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as { tensors: number };
  return { ...rss(workerd), proxyKiB: rss(proxy).rssKiB, tensors: health.tensors };
}

/** The process's resident memory now and at its peak, from /proc/<pid>/status (Linux). */
function rss(pid: number | undefined): { rssKiB: number | undefined; peakKiB: number | undefined } {
  let status = '';
  try {
    if (pid !== undefined) status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  };
  return { rssKiB: kib('VmRSS'), peakKiB: kib('VmHWM') };
}

/**
 * wrangler dev's two workerd processes, in wrangler's process group (startWrangler makes one): `proxy` listens on
 * the URL we were given (wrangler's ProxyWorker) and forwards to `worker`, which runs the Worker.
 */
function workerdOf(server: WranglerServer): { worker: number | undefined; proxy: number | undefined } {
  const found = { worker: undefined as number | undefined, proxy: undefined as number | undefined };
  if (!existsSync('/proc/self/stat') || server.pid === undefined) return found;
  const entry = `entry=${new URL(server.url).host}`;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const group = Number(stat.slice(close + 2).split(' ')[2]); // fields after the name: state, ppid, pgrp
      if (name !== 'workerd' || group !== server.pid) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (command.some((arg) => arg.endsWith(entry))) found.proxy = Number(pid);
      else found.worker = Number(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/* ---------- figures ---------- */

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
