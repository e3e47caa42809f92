import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../bindings';
import { ApiError } from '../errors';

export interface Admission {
  /** Image requests worked on at once in one isolate. */
  concurrent: number;
  /** Image requests waiting for a turn, their bodies not yet read; past this, 429 busy at once. */
  queued: number;
  /** How long a request waits for its turn before 429 busy. */
  maxWaitMs: number;
  /** Between two of its steps, how long an image request waits while predictions are in flight (PredictionsFirst). */
  giveWayMs: number;
}

/**
 * Makes image requests take turns. Each holds its body, the decoded image and its tensors (tens of MB at the
 * limits) and computes without yielding, so a few at once would take an isolate past its 128 MB, and each blocks
 * the isolate's other requests while it runs. A request waits for a turn before its body is read (a waiting upload
 * costs nothing but the connection); when the queue is full, or the wait too long, it is refused with 429 busy and
 * Retry-After, by design rather than by the isolate running out of memory. Predictions do not pass through here.
 *
 * A waiting request polls for its turn on short timers of its own rather than awaiting a promise that another
 * request resolves: workerd runs such a continuation in the resolver's request, and cancels a request as hung when
 * nothing of its own is pending.
 *
 * An admitted request gets `giveWay` (PredictionsFirst.giveWay) as c.var.giveWay, to await between its steps.
 */
export function admitImages({ concurrent, queued, maxWaitMs }: Admission, giveWay: () => Promise<void>): MiddlewareHandler<AppEnv> {
  let running = 0;
  const waiting: { granted: boolean }[] = [];
  const busy = (why: string) =>
    new ApiError(429, 'busy', `${why}; retry shortly`, { running, waiting: waiting.length }, { 'Retry-After': '1' });

  const turn = async (): Promise<void> => {
    if (running < concurrent) {
      running++;
      return;
    }
    if (waiting.length >= queued) throw busy(`${running + waiting.length} image requests are running or waiting here`);
    const place = { granted: false };
    waiting.push(place);
    const deadline = Date.now() + maxWaitMs;
    while (!place.granted) {
      if (Date.now() >= deadline) {
        waiting.splice(waiting.indexOf(place), 1);
        throw busy(`no turn for this image request within ${maxWaitMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next.granted = true; // the turn passes on: running stays the same
    else running--;
  };

  return async (c, next) => {
    await turn();
    c.set('giveWay', giveWay);
    try {
      await next();
    } finally {
      release();
    }
  };
}

const POLL_MS = 2;
