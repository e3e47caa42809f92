/**
 * `edge`: the Worker under `wrangler dev` (local workerd, loopback only), loaded by autocannon for a fixed time per
 * target at fixed concurrency: warm requests/s and latency p50/p99 of /predict (1 and 64 rows) and of the image
 * transform of rocket.jpg, against GET /healthz, the cheapest route of the same Worker, and the 1-row body posted to
 * /healthz (a 405), which the Worker answers without reading it: what the request's body alone costs. Then cold
 * starts: from spawning wrangler to the first answer of a route that starts nothing (GET /openapi.json) and to the
 * first prediction, whose difference is the backend's and the model's start-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, exampleInstance, startWrangler } from '../wrangler.mjs';
import { encodePng } from '../../sdk/serve';
import { loadDigits } from '../digits/mnist';
import { median } from './lib';
import { type CannonResult, load, type Target } from './http';

const CONNECTIONS = 8;
const SECONDS = 8;
const PHOTO = path.join(ROOT, '../shared/data/images/rocket.jpg');

const PREDICT_PATH = '/v1/models/phone-price/predict';
const DIGITS_PATH = '/v1/models/digits/predict';
const json = { 'content-type': 'application/json' };
const exampleRow = () => Object.values(exampleInstance());

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const row = exampleRow();
  const targets: Target[] = [
    { name: 'GET /healthz (baseline)', path: '/healthz' },
    // What a request body costs before any route code runs: the same bytes posted to a route that takes no POST.
    { name: 'POST /healthz, the 1-row body (405)', path: '/healthz', method: 'POST', headers: json, body: JSON.stringify({ instances: [row] }) },
    { name: 'predict, 1 row', path: PREDICT_PATH, method: 'POST', headers: json, body: JSON.stringify({ instances: [row] }) },
    {
      name: 'predict, 64 rows',
      path: PREDICT_PATH,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ instances: Array.from({ length: 64 }, () => row) }),
    },
  ];
  if (existsSync(PHOTO)) {
    targets.push({
      name: 'transform rocket.jpg (features → PNG)',
      path: '/v1/models/features/transform',
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: readFileSync(PHOTO),
    });
  } else console.log(`(${PHOTO} is absent: the image row is skipped)`);

  const server = await startWrangler({ readyTimeoutMs: 120_000 });
  try {
    console.log(`\n### Warm throughput: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per target, best of ${repeats}\n`);
    console.log('| target | requests/s | ÷ baseline | p50 | p99 | non-2xx | errors |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const target of targets) await cannon(server.url, target, 2); // warm-up
    // Round by round, every target in turn, so that a change in the machine's load falls on all of them alike.
    const runs = new Map<Target, CannonResult[]>(targets.map((target) => [target, []]));
    for (let r = 0; r < repeats; r++) for (const target of targets) runs.get(target)!.push(await cannon(server.url, target, SECONDS));
    let baseline = 0;
    for (const target of targets) {
      const best = runs.get(target)!.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));
      baseline ||= best.requests.average;
      console.log(
        `| ${target.name} | ${best.requests.average.toFixed(0)} | ${(best.requests.average / baseline).toFixed(2)}× | ` +
          `${best.latency.p50} ms | ${best.latency.p99} ms | ${best.non2xx} | ${best.errors + best.timeouts} |`,
      );
    }
  } finally {
    await server.stop();
  }
  await coldStarts({ repeats });
}

/** The cold starts alone (`npm run bench -- edge-cold`): wrangler dev spawned anew for each first request. */
export async function coldStarts({ repeats }: { repeats: number }): Promise<void> {
  console.log(`\n### Cold start: spawning wrangler dev → first answer, median of ${repeats}\n`);
  const png = (body: Uint8Array) => ({ method: 'POST', headers: { 'content-type': 'image/png' }, body });
  const firstRequests = [
    {
      what: 'POST /v1/models/phone-price/predict right after it (starts wasm, builds the model)',
      path: PREDICT_PATH,
      init: { method: 'POST', headers: json, body: JSON.stringify({ instances: [exampleRow()] }) },
    },
    {
      what: 'POST /v1/models/digits/predict, an 84×84 grey PNG, right after it (starts wasm, builds the CNN from its graph)',
      path: DIGITS_PATH,
      init: png(digitPng(3, 1)),
    },
    {
      what: "the same with the demo page's drawing, a 112×112 RGBA PNG",
      path: DIGITS_PATH,
      init: png(digitPng(4, 4)),
    },
    {
      what: 'the same with a 280×280 RGBA PNG (the canvas at full size)',
      path: DIGITS_PATH,
      init: png(digitPng(10, 4)),
    },
  ];
  if (existsSync(PHOTO)) {
    firstRequests.push({
      what: 'POST /v1/image/conv2d?kernel=sobel_x, rocket.jpg (640×427) as the body, answered as a PNG',
      path: '/v1/image/conv2d?kernel=sobel_x',
      init: { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: readFileSync(PHOTO) },
    });
  } else console.log(`(${PHOTO} is absent: the first image transform is not measured)`);
  // Per spawn: the empty route's first answer after spawning, and how long the first model request then took. The
  // spawn itself varies by hundreds of milliseconds, so the extra is the median of each spawn's own difference.
  const empty: number[] = [];
  const extras = firstRequests.map((): number[] => []);
  for (let r = 0; r < repeats; r++) {
    for (const [i, { path, init }] of firstRequests.entries()) {
      const cold = await startWrangler({ readyPath: '/openapi.json', readyTimeoutMs: 120_000 });
      try {
        const started = performance.now();
        const response = await fetch(`${cold.url}${path}`, init as RequestInit);
        if (response.status !== 200) throw new Error(`the first ${path} answered ${response.status}: ${await response.text()}`);
        extras[i].push(performance.now() - started);
        empty.push(cold.readyMs);
      } finally {
        await cold.stop();
      }
    }
  }
  console.log("| first 200 from | after spawn, or (+) after the empty route's first answer: median (range) |");
  console.log('|---|---:|');
  console.log(`| GET /openapi.json (starts no backend, builds no model) | ${median(empty).toFixed(0)} ms |`);
  firstRequests.forEach(({ what }, i) => {
    const spread = `${Math.min(...extras[i]).toFixed(0)}–${Math.max(...extras[i]).toFixed(0)}`;
    console.log(`| ${what} | +${median(extras[i]).toFixed(0)} ms (${spread}) |`);
  });
}

/** A held-out MNIST digit, dark ink on white, each of its pixels `scale` × `scale`, as a PNG of 1 (grey) or 4
 *  (RGBA, opaque: what the demo page's canvas sends) channels. */
function digitPng(scale: number, channels: 1 | 4): Uint8Array<ArrayBuffer> {
  const { test } = loadDigits();
  const pixels = test.x.dataSync().slice(0, 784);
  const side = 28 * scale;
  const data = new Uint8Array(side * side * channels).fill(255);
  for (let p = 0; p < side * side; p++) {
    const [y, x] = [Math.floor(p / side), p % side];
    const grey = Math.round(255 * (1 - pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)]));
    data.fill(grey, channels * p, channels * p + Math.min(channels, 3));
  }
  return encodePng({ width: side, height: side, channels, data }) as Uint8Array<ArrayBuffer>;
}

function cannon(url: string, target: Target, duration: number): Promise<CannonResult> {
  return load(url, target, { connections: CONNECTIONS, duration });
}
