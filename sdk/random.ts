/**
 * Seeded randomness for initialisation, dropout masks, splits and shuffling.
 *
 * tfjs's own random ops draw from an unseeded source unless each call is given a seed, so every random number
 * edgeml uses comes from a Generator instead: the same seed gives the same weights, masks and batches, bit for bit.
 */
export class Generator {
  private state: number;

  constructor(seed = 0) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) (mulberry32: 32-bit state, fast, and good enough for ML sampling). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `count` floats drawn from U(low, high). */
  uniform(count: number, low: number, high: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = low + (high - low) * this.next();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }
}

let globalGenerator = new Generator(0);

/** Like torch.manual_seed: reseeds the generator that layers and dropout use when given none. */
export function manualSeed(seed: number): void {
  globalGenerator = new Generator(seed);
}

/** The generator manualSeed reseeds (torch's default generator): draw from it for torch.randint-style inputs. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}
