#!/usr/bin/env node
// `npm start`: serves the Worker with its default model under `wrangler dev` on 127.0.0.1 (port 8787, or PORT),
// offline: no Cloudflare login, no telemetry prompt. Prints the URL and a curl to try once it answers; Ctrl-C stops
// wrangler and its workerd.
import { exampleInstance, PortInUseError, startWrangler } from './wrangler.mjs';

const USAGE = `Usage: npm start [-- --help]

Serves the Worker (the models in worker/models and the demo page) under wrangler dev, offline. Models published
to it (npm run publish-model) are kept in the local R2 state under .wrangler/state, so they survive a restart;
publishing needs EDGEML_ADMIN_TOKEN=... in .dev.vars.

  PORT=N       the port on 127.0.0.1 (default 8787)
  --help       print this

Example:
  PORT=8788 npm start`;

if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
if (process.argv.length > 2) {
  console.error(`error: npm start takes no arguments but --help (got ${process.argv.slice(2).join(' ')}); set PORT to change the port\n\n${USAGE}`);
  process.exit(2);
}

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number (1-65535), not "${process.env.PORT}"`);
  process.exit(2);
}

// wrangler runs in its own process group (so that all of it can be stopped), out of reach of the terminal's Ctrl-C.
const cancelled = new AbortController();
let server;
const stop = async () => {
  cancelled.abort(); // while starting, startWrangler stops wrangler and rejects (below)
  if (server === undefined) return;
  await server.stop();
  process.exit(130);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  server = await startWrangler({ port, echo: true, signal: cancelled.signal });
} catch (error) {
  if (cancelled.signal.aborted) process.exit(130);
  if (error instanceof PortInUseError) {
    console.error(`edgeml: cannot serve on port ${port}: ${error.message}. Stop it, or use another port: PORT=${port + 1} npm start`);
    process.exit(1);
  }
  console.error(`edgeml: wrangler dev did not start: ${error.message}`);
  process.exit(1);
}
const body = JSON.stringify({ instances: [exampleInstance()] });
console.log(`
edgeml is serving on ${server.url}  (ready in ${(server.readyMs / 1000).toFixed(1)} s; Ctrl-C to stop)

  curl -s ${server.url}/v1/models/phone-price/predict \\
    -H 'Content-Type: application/json' \\
    -d '${body}'

  API: ${server.url}/openapi.json   models: ${server.url}/v1/models   health: ${server.url}/healthz

  Publish a model (needs EDGEML_ADMIN_TOKEN in .dev.vars; kept in .wrangler/state across restarts):
  EDGEML_ADMIN_TOKEN=... npm run publish-model -- --bundle data/models/phone-price --name phone-price
`);
