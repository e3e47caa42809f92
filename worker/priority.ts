import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './bindings';

/**
 * Predictions go before image work. An image request computes in steps of tens of milliseconds that cannot yield
 * (decoding, a convolution, encoding); a prediction needs a millisecond but several turns of the event loop (body,
 * parse, model, answer), and would otherwise wait for an image step at each of them. So between its steps an image
 * request waits while any prediction is in flight, for at most `maxWaitMs` per step so that images still progress
 * under a steady stream of predictions.
 *
 * The wait polls on timers of the image request's own: workerd cancels a request as hung when it awaits a promise
 * that only another request settles.
 */
export class PredictionsFirst {
  #inFlight = 0;

  constructor(private readonly maxWaitMs: number) {}

  /** Middleware of the prediction routes: counts the predictions in flight. */
  readonly counted: MiddlewareHandler<AppEnv> = async (_c, next) => {
    this.#inFlight++;
    try {
      await next();
    } finally {
      this.#inFlight--;
    }
  };

  /** Resolves on a later turn of the event loop, once no prediction is in flight or after maxWaitMs. */
  readonly giveWay = async (): Promise<void> => {
    const deadline = Date.now() + this.maxWaitMs;
    do await new Promise((resolve) => setTimeout(resolve, 0));
    while (this.#inFlight > 0 && Date.now() < deadline);
  };
}
