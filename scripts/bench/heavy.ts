/**
 * `heavy`: "Hardening II"'s mixed load. For 20 s at concurrency 32 against `wrangler dev`, half the requests are
 * predictions (1 and 64 rows) and half the heaviest images the limits allow: 4096×512 PNG and JPEG through conv2d
 * (all five kernels), a 1182×1182 JPEG through the features transform, and pool with kernel_size=1&format=json.
 * Prints the answers per kind and status, the predictions' latency percentiles (the figure that matters: image
 * requests must not starve them), 5xx and restarts ("Your worker restarted mid-request" from wrangler's proxy), and
 * the tfjs tensor count before and after. Image requests refused with 429 busy are by design.
 */
import jpegJs from 'jpeg-js';
import { encodePng } from '../../sdk/serve';
import { startWrangler } from '../wrangler.mjs';
import { countBy, median, percentile } from './lib';

const SECONDS = 20;
const CONCURRENCY = 32;
const MODEL = 'phone-price';

interface Kind {
  name: string;
  predict: boolean;
  request: () => RequestInit & { path: string };
}

interface Outcome {
  kind: Kind;
  status: number | string;
  ms: number;
  restarted: boolean;
}

export async function run(_options: { repeats: number }): Promise<void> {
  const kinds = mix();
  const server = await startWrangler({ readyTimeoutMs: 120_000 });
  try {
    const tensors = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { tensors: number }).tensors;
    for (const kind of kinds) await send(server.url, kind); // warm every path once
    const before = await tensors();
    const outcomes: Outcome[] = [];
    const until = performance.now() + SECONDS * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) outcomes.push(await send(server.url, kinds[next++ % kinds.length]));
      }),
    );
    const after = await tensors();

    const predictions = outcomes.filter((o) => o.kind.predict);
    const fiveXx = outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500);
    console.log(`\n### heavy: ${outcomes.length} requests in ${SECONDS} s at concurrency ${CONCURRENCY}\n`);
    console.log('| kind | answers | p50 | p99 |');
    console.log('|---|---|---:|---:|');
    for (const kind of kinds) {
      const mine = outcomes.filter((o) => o.kind === kind);
      const times = mine.map((o) => o.ms);
      console.log(`| ${kind.name} | ${statuses(mine)} | ${ms(median(times))} | ${ms(percentile(times, 0.99))} |`);
    }
    const times = predictions.map((o) => o.ms);
    console.log(
      `\npredictions: ${predictions.length}, p50 ${ms(median(times))}, p99 ${ms(percentile(times, 0.99))}, ` +
        `max ${ms(Math.max(...times))}; 5xx: ${fiveXx.length}; restarts: ${outcomes.filter((o) => o.restarted).length}; ` +
        `tfjs tensors ${before} → ${after}`,
    );
  } finally {
    await server.stop();
  }
}

function mix(): Kind[] {
  const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const image = (type: string, body: Uint8Array) => ({ method: 'POST', headers: { 'Content-Type': type }, body: body as Uint8Array<ArrayBuffer> });
  const row = [842, 0, 2.2, 0, 1, 0, 7, 0.6, 188, 2, 2, 20, 756, 2549, 9, 7, 19, 0, 0, 1];
  const wide = noise(4096, 512);
  const widePng = encodePng(wide);
  const wideJpeg = jpeg(wide);
  const square = jpeg(noise(1182, 1182));
  const predict = `/v1/models/${MODEL}/predict`;
  return [
    { name: 'predict, 1 row', predict: true, request: () => ({ path: predict, ...json({ instances: [row] }) }) },
    { name: '4096×512 PNG conv2d, 5 kernels', predict: false, request: () => ({ path: '/v1/image/conv2d', ...image('image/png', widePng) }) },
    { name: 'predict, 64 rows', predict: true, request: () => ({ path: predict, ...json({ instances: Array(64).fill(row) }) }) },
    { name: '4096×512 JPEG conv2d, 5 kernels', predict: false, request: () => ({ path: '/v1/image/conv2d', ...image('image/jpeg', wideJpeg) }) },
    { name: 'predict, 1 row ', predict: true, request: () => ({ path: predict, ...json({ instances: [row] }) }) },
    { name: '1182² JPEG features transform', predict: false, request: () => ({ path: '/v1/models/features/transform', ...image('image/jpeg', square) }) },
    { name: 'predict, 64 rows ', predict: true, request: () => ({ path: predict, ...json({ instances: Array(64).fill(row) }) }) },
    { name: 'pool kernel_size=1, JSON, 4096×512', predict: false, request: () => ({ path: '/v1/image/pool?kernel_size=1&format=json', ...image('image/png', widePng) }) },
  ];
}

async function send(url: string, kind: Kind): Promise<Outcome> {
  const { path, ...init } = kind.request();
  const started = performance.now();
  try {
    const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    return { kind, status: response.status, ms: performance.now() - started, restarted: /restarted mid-request/.test(text) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { kind, status: `error ${cause?.code ?? (error as Error).name}`, ms: performance.now() - started, restarted: false };
  }
}

/** A width×height RGB image of smooth gradients and noise: compresses as a photo does, neither trivially nor not at all. */
function noise(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  let seed = 1;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (((i / 3) % width) / width) * 200 + (seed >>> 27);
  }
  return { width, height, channels: 3 as const, data };
}

function jpeg(image: ReturnType<typeof noise>): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(jpegJs.encode({ width: image.width, height: image.height, data: rgba }, 85).data);
}

const statuses = (outcomes: Outcome[]) =>
  Object.entries(countBy(outcomes, (o) => String(o.status)))
    .map(([status, count]) => `${status} × ${count}`)
    .join(', ');

const ms = (value: number) => `${value.toFixed(0)} ms`;
