/**
 * CPU time inside workerd, from the V8 inspector that `wrangler dev --inspector-port` serves: workerd freezes
 * Date.now() and performance.now() while a request runs, so the Worker cannot time itself; V8's sampling profiler can.
 */
import WebSocket from 'ws';

/** The sampling interval asked for, in µs; V8 in workerd manages about one sample per 200 µs on 2 shared cores. */
export const INTERVAL = 100;
/**
 * The most time one sample stands for, in µs. workerd's isolate is sampled only while a request holds it: between
 * requests, and while one awaits I/O, no sample is taken (not even "(idle)"), so the time to the next sample can
 * be milliseconds of idling, and counting it whole made /healthz look as busy as its HTTP round trip.
 */
export const LONGEST_SAMPLE = 5 * INTERVAL;

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds of CPU, in all and under each named part. */
export interface CpuTime {
  busy: number;
  parts: Record<string, number>;
}

/** A Chrome DevTools Protocol session with the Worker's isolate. */
export class Inspector {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const { id, result, error } = JSON.parse(String(data));
      const waiting = this.pending.get(id);
      if (!waiting) return; // an event, not a reply
      this.pending.delete(id);
      if (error) waiting.reject(new Error(`inspector: ${error.message}`));
      else waiting.resolve(result);
    });
  }

  /** Connects to the "Cloudflare Worker" target: wrangler's inspector proxy may list others (e.g. its own). */
  static async connect(port: number): Promise<Inspector> {
    const targets: { title: string; webSocketDebuggerUrl: string }[] = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
    const target = targets.find((t) => t.title === 'Cloudflare Worker');
    if (!target) throw new Error(`no Worker among the inspector's targets: ${targets.map((t) => t.title).join(', ')}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Inspector(socket);
  }

  send(method: string, params: object = {}): Promise<any> {
    const id = this.next++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** The profile of whatever the isolate runs during `work`. */
  async profile(work: () => Promise<void>): Promise<Profile> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: INTERVAL });
    await this.send('Profiler.start');
    await work();
    return (await this.send('Profiler.stop')).profile;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Milliseconds of CPU in the profile: the time its samples stand for, but the idle node's, and of that, the time
 * spent under each part. A sample goes to the part of the innermost function on its stack that any part names, so nested parts (a
 * renderer called inside a tidy scope) do not count twice. Names are matched without a trailing number, which is
 * how esbuild renames a function whose name another module also uses (conv2d → conv2d3).
 */
export function cpuTime(profile: Profile, parts: Record<string, readonly string[]>): CpuTime {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const partOf = new Map<number, string | undefined>(); // node id → its innermost part, found from the root down
  const walk = (node: ProfileNode, inherited: string | undefined) => {
    const name = node.callFrame.functionName.replace(/\d+$/, ''); // esbuild's suffix on a name it had to rename
    const own = Object.keys(parts).find((part) => parts[part].includes(name));
    partOf.set(node.id, own ?? inherited);
    for (const child of node.children ?? []) walk(byId.get(child)!, own ?? inherited);
  };
  walk(profile.nodes[0], undefined); // the first node is the root

  const totals: Record<string, number> = Object.fromEntries(Object.keys(parts).map((part) => [part, 0]));
  let busy = 0;
  // A sample stands for the time until the next one (DevTools' convention), the last one until the end; at most
  // LONGEST_SAMPLE.
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (at += delta));
  profile.samples.forEach((id, i) => {
    const micros = Math.min((times[i + 1] ?? profile.endTime) - times[i], LONGEST_SAMPLE);
    if (byId.get(id)!.callFrame.functionName === '(idle)') return;
    busy += micros;
    const part = partOf.get(id);
    if (part) totals[part] += micros;
  });
  return { busy: busy / 1000, parts: Object.fromEntries(Object.entries(totals).map(([part, micros]) => [part, micros / 1000])) };
}
