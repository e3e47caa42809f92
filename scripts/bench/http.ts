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
  /** Responses by HTTP status. */
  statuses: Record<number, number>;
}

/** `target` sent by `connections` clients back to back for `duration` seconds (autocannon). */
export async function load(
  url: string,
  target: Target,
  { connections, duration }: { connections: number; duration: number },
): Promise<CannonResult> {
  const statuses: Record<number, number> = {};
  const count = (status: number) => (statuses[status] = (statuses[status] ?? 0) + 1);
  const setupClient = (client: { on(event: 'response', listener: (status: number) => void): void }) => client.on('response', count);
  const { method = 'GET', headers, body } = target;
  return { ...(await autocannon({ url: url + target.path, method, headers, body, connections, duration, setupClient })), statuses };
}
