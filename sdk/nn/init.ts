import type { Generator } from '../random';

/** How many withoutInit calls are running (they may nest). */
let skipping = 0;

/**
 * Runs `build` with the layers it constructs leaving their weights at zero instead of drawing PyTorch's default
 * initialisation: for a model whose every weight a state dict replaces at once (a bundle's), the draws are wasted
 * start-up time, and they would move the global generator, which loading a model must leave where it was.
 */
export function withoutInit<T>(build: () => T): T {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

/**
 * `count` starting values of a Linear's or a Conv2d's weight or bias: PyTorch's default, kaiming_uniform with a = √5
 * (and the bias's own bound), which comes down to U(−1/√fanIn, 1/√fanIn) drawn from `generator`; zeros, drawing
 * nothing, inside withoutInit.
 */
export function defaultInit(generator: Generator, count: number, fanIn: number): Float32Array {
  if (skipping > 0) return new Float32Array(count);
  const bound = 1 / Math.sqrt(fanIn);
  return generator.uniform(count, -bound, bound);
}
