/**
 * `image`: rocket.jpg (640×427) through every image route of the Worker under `wrangler dev`, N serial requests per
 * route and round, against GET /healthz. Per route: the end-to-end HTTP time (p50, p90) and the CPU time the
 * Worker's isolate spends per request, from V8's sampling profiler (scripts/bench/inspector.ts), split into the
 * parts named in PARTS. The Worker runs unminified so that the profile names its functions.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT, startWrangler } from '../wrangler.mjs';
import { type CpuTime, cpuTime, Inspector, INTERVAL, LONGEST_SAMPLE } from './inspector';
import { median, percentile } from './lib';

const PHOTO = path.join(ROOT, '../shared/data/images/rocket.jpg');
const REQUESTS = 30;
const WARM_UP = 3;

/**
 * The baseline first: every other route's CPU is also given as a multiple of its. The digit model's preparation
 * refuses a photo (422 invalid_input, "not a digit on a plain background") after decoding and analysing it all, so
 * that row times the preparation without the CNN.
 */
interface Route {
  name: string;
  path: string;
  /** POSTs rocket.jpg; otherwise a GET. */
  image?: true;
  /** The status expected (default 200). */
  status?: number;
}

const ROUTES: Route[] = [
  { name: 'GET /healthz (baseline)', path: '/healthz' },
  { name: 'conv2d ?kernel=sobel_x', path: '/v1/image/conv2d?kernel=sobel_x', image: true },
  { name: 'conv2d, all five kernels', path: '/v1/image/conv2d', image: true },
  { name: 'pool (max 2×2)', path: '/v1/image/pool', image: true },
  { name: 'pool ?mode=avg', path: '/v1/image/pool?mode=avg', image: true },
  { name: 'features transform', path: '/v1/models/features/transform', image: true },
  { name: 'digits predict (refused: 422)', path: '/v1/models/digits/predict', image: true, status: 422 },
];

/**
 * A sample counts for the innermost of these functions on its stack (tidy holds the model's or op's tfjs work, and
 * also toTensor and the renderer, which count for themselves).
 */
const PARTS = {
  decode: ['decodeImage'],
  'to tensor': ['toTensor', 'preprocessMnist'],
  compute: ['tidy', 'conv2d', 'poolWith', 'transform', 'predictImages'],
  render: ['renderFeatureMaps'],
  'PNG encode': ['encodePng'],
};

interface Measured {
  http: number[];
  /** Per round: CPU ms per request. */
  cpu: CpuTime[];
}

export async function run({ repeats }: { repeats: number }): Promise<void> {
  if (!existsSync(PHOTO)) return console.log(`skipped: ${PHOTO} not found`);
  const photo = new Uint8Array(readFileSync(PHOTO));
  const inspectorPort = await freePort('127.0.0.1');
  const server = await startWrangler({ readyTimeoutMs: 120_000, inspectorPort, minify: false });
  const inspector = await Inspector.connect(inspectorPort);
  try {
    const send = (route: Route) => request(server.url, route, photo);
    for (const route of ROUTES) for (let i = 0; i < WARM_UP; i++) await send(route); // backend, models, JIT
    const measured = new Map(ROUTES.map((route) => [route, { http: [], cpu: [] } as Measured]));
    for (let r = 0; r < repeats; r++) {
      for (const route of ROUTES) {
        const { http, cpu } = measured.get(route)!;
        // HTTP times from a pass of their own: sampling interrupts the isolate thousands of times a second.
        for (let i = 0; i < REQUESTS; i++) http.push(await send(route));
        const profile = await inspector.profile(async () => {
          for (let i = 0; i < REQUESTS; i++) await send(route);
        });
        cpu.push(perRequest(cpuTime(profile, PARTS)));
        if (route.image && Object.values(cpu.at(-1)!.parts).every((ms) => ms === 0)) {
          throw new Error(`no function of PARTS in the profile of ${route.name}: is the Worker minified?`);
        }
      }
    }
    print(measured, repeats);
  } finally {
    inspector.close();
    await server.stop();
  }
}

/** Milliseconds from sending the request to the end of its answer, which must have the route's status. */
async function request(url: string, route: Route, photo: Uint8Array<ArrayBuffer>): Promise<number> {
  const init: RequestInit = route.image ? { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo } : {};
  const started = performance.now();
  const response = await fetch(`${url}${route.path}`, init);
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== (route.status ?? 200)) {
    throw new Error(`${route.name} answered ${response.status}: ${new TextDecoder().decode(body)}`);
  }
  return ms;
}

function perRequest({ busy, parts }: CpuTime): CpuTime {
  return {
    busy: busy / REQUESTS,
    parts: Object.fromEntries(Object.entries(parts).map(([part, ms]) => [part, ms / REQUESTS])),
  };
}

function print(measured: Map<Route, Measured>, repeats: number): void {
  const parts = Object.keys(PARTS);
  console.log(
    `\n### rocket.jpg (640×427 JPEG) through the image routes: ${REQUESTS} serial requests per round, ${repeats} rounds\n\n` +
      'HTTP: end to end through wrangler dev, over all rounds. CPU: the time the isolate\'s samples stand for (V8 ' +
      `profiler, ${INTERVAL} µs asked, a sample counting for at most ${LONGEST_SAMPLE} µs) but idle, per request, median of ` +
      'the rounds; the parts are the innermost of ' +
      `${Object.entries(PARTS).map(([part, names]) => `${part} = ${names.join('/')}`).join('; ')}; ` +
      'other is the rest (Hono, validation, Response, GC).\n',
  );
  console.log(`| route | HTTP p50 | HTTP p90 | server CPU per request | ÷ healthz | ${parts.join(' | ')} | other |`);
  console.log(`|---|---:|---:|---:|---:|${parts.map(() => '---:|').join('')}---:|`);
  let baseline = 0;
  for (const [route, { http, cpu }] of measured) {
    const busy = median(cpu.map((c) => c.busy));
    baseline ||= busy;
    const byPart = parts.map((part) => median(cpu.map((c) => c.parts[part])));
    const other = median(cpu.map((c) => c.busy - Object.values(c.parts).reduce((a, b) => a + b, 0)));
    console.log(
      `| ${route.name} | ${ms(median(http))} | ${ms(percentile(http, 0.9))} | ${ms(busy)} | ${times(busy / baseline)} | ` +
        `${byPart.map(ms).join(' | ')} | ${ms(other)} |`,
    );
  }
}

const ms = (value: number) => `${value.toFixed(value >= 10 ? 0 : 1)} ms`;
const times = (value: number) => `${value.toFixed(value >= 10 ? 0 : 1)}×`;
