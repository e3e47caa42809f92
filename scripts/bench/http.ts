// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';

/** One kind of request a benchmark sends over and over. */
export interface Target {
  name: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What the benchmarks read of autocannon's result. */
export interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** `target` sent by `connections` clients back to back for `duration` seconds (autocannon). */
export function load(url: string, target: Target, { connections, duration }: { connections: number; duration: number }): Promise<CannonResult> {
  return autocannon({ url: url + target.path, method: target.method ?? 'GET', headers: target.headers, body: target.body, connections, duration });
}
