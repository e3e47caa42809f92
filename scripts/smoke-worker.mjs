#!/usr/bin/env node
// Smoke test of the Worker under the real `wrangler dev`, with timings: starts it on a free port, waits for
// /healthz, posts one prediction of the default model, prints how long each step took, and stops wrangler's whole
// process group. Exits non-zero, with wrangler's output, on any failure. (npm test runs the same check as
// test/worker-node/wrangler-dev.test.ts.)
//
//   node scripts/smoke-worker.mjs [--timeout 60]
import { exampleInstance, startWrangler } from './wrangler.mjs';

const timeoutArg = process.argv.indexOf('--timeout');
const readyTimeoutMs = 1000 * (timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 60);

async function timed(url, init) {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

async function main() {
  const started = performance.now();
  const cancelled = new AbortController();
  process.once('SIGINT', () => cancelled.abort());
  const server = await startWrangler({ readyTimeoutMs, signal: cancelled.signal });
  cancelled.signal.addEventListener('abort', () => server.stop().then(() => process.exit(130)));
  try {
    const predict = await timed(`${server.url}/v1/models/phone-price/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instances: [exampleInstance()] }),
    });
    const firstPredictionMs = performance.now() - started;
    const warm = await timed(`${server.url}/v1/models/phone-price/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instances: [exampleInstance()] }),
    });
    const predictions = predict.status === 200 ? JSON.parse(predict.text).predictions : undefined;
    if (predictions?.length !== 1 || typeof predictions[0].label !== 'string') {
      throw new Error(`predict answered ${predict.status}: ${predict.text}\n${server.output()}`);
    }
    console.log(`smoke-worker: OK on ${server.url}`);
    console.log(`  predict  ${predict.text}`);
    console.log(`  wrangler dev start → /healthz 200 (backend started): ${server.readyMs.toFixed(0)} ms`);
    console.log(`  wrangler dev start → first prediction: ${firstPredictionMs.toFixed(0)} ms`);
    console.log(`  first predict (builds the model): ${predict.ms.toFixed(1)} ms; warm predict: ${warm.ms.toFixed(1)} ms`);
  } finally {
    if (!(await server.stop())) throw new Error(`processes of group ${server.pid} (wrangler/workerd) are still running`);
  }
}

main().catch((error) => {
  console.error(`smoke-worker: FAILED: ${error.message}`);
  process.exit(1);
});
