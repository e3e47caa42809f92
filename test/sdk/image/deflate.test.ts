import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { codeLengths, zlibRle } from '../../../sdk/image/deflate';

/** What zlib (Node's) and fflate (the SDK's PNG decoder) inflate `data`'s stream to; both must give `data` back. */
function expectRoundTrip(data: Uint8Array): Uint8Array {
  const stream = zlibRle(data);
  // Compared as Buffers: vitest's deep equality takes seconds on arrays of 100 000 bytes.
  expect(inflateSync(stream).equals(data)).toBe(true);
  expect(Buffer.from(unzlibSync(stream)).equals(data)).toBe(true);
  return stream;
}

/** Pseudo-random bytes, the same on every run. */
function noise(length: number, seed = 1): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24);
}

describe('zlibRle', () => {
  it('round-trips through zlib and fflate: empty, tiny, runs, noise, and blocks of every kind', () => {
    expectRoundTrip(new Uint8Array(0));
    expectRoundTrip(Uint8Array.of(7));
    expectRoundTrip(Uint8Array.of(7, 7, 7, 7));
    // Runs longer than one match (258), across the 65 535-byte block boundary, and of the first byte.
    expectRoundTrip(new Uint8Array(200_000).fill(3));
    expectRoundTrip(Uint8Array.from({ length: 150_000 }, (_, i) => (i % 70_000 < 66_000 ? 9 : i % 5)));
    // Noise has no runs and no skew: stored blocks, also for a stored block of exactly the block size.
    expectRoundTrip(noise(65_535));
    expectRoundTrip(noise(65_536));
    expectRoundTrip(noise(140_000));
  });

  it('round-trips arbitrary bytes, runs and skewed mixtures', () => {
    const runs = fc
      .array(fc.record({ value: fc.integer({ min: 0, max: 255 }), length: fc.integer({ min: 1, max: 600 }) }), { maxLength: 60 })
      .map((parts) => Uint8Array.from(parts.flatMap(({ value, length }) => Array<number>(length).fill(value))));
    const small = fc.uint8Array({ maxLength: 3000 }).map((bytes) => bytes.map((b) => (b < 200 ? 0 : b & 7)));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), runs, small), (data) => void expectRoundTrip(data)));
  });

  it('writes whole the longest tokens: rare long runs (15-bit code, 5 extra bits, distance) among literals', () => {
    // Literals 0–7 with halving frequencies make the code a deep chain, where the rare run lengths get 15 bits.
    const values = noise(54_000, 7).map((byte) => Math.clz32(byte | 1) - 24);
    const parts = [131, 163, 195, 227, 240, 257].flatMap((run, i) => [...values.subarray(i * 9000, (i + 1) * 9000), ...Array<number>(run).fill(200)]);
    const data = Uint8Array.from(parts);
    expect(expectRoundTrip(data).length).toBeLessThan(data.length / 3);
  });

  it('compresses the runs and small values of a filtered picture below its size', () => {
    const rows = Uint8Array.from({ length: 100_000 }, (_, i) => (i % 641 === 0 ? 2 : i % 37 < 30 ? 0 : i % 3));
    expect(expectRoundTrip(rows).length).toBeLessThan(rows.length / 10);
  });
});

describe('codeLengths', () => {
  /** Kraft's sum over the used symbols: exactly 1 for a complete prefix code. */
  const kraft = (lengths: Uint8Array) => lengths.reduce((sum, length) => sum + (length ? 2 ** -length : 0), 0);

  it('limits a skewed (Fibonacci) distribution to the longest code allowed, keeping the code complete', () => {
    const counts = new Uint32Array(30);
    counts[0] = counts[1] = 1;
    for (let i = 2; i < counts.length; i++) counts[i] = counts[i - 1] + counts[i - 2];
    const lengths = codeLengths(counts, 15);
    expect(Math.max(...lengths)).toBe(15);
    expect(lengths.every((length) => length > 0)).toBe(true);
    expect(kraft(lengths)).toBe(1);
  });

  it('gives a lone symbol a partner, so that the code is complete', () => {
    const counts = new Uint32Array(19);
    counts[4] = 10;
    const lengths = codeLengths(counts, 7);
    expect(lengths[4]).toBe(1);
    expect(kraft(lengths)).toBe(1);
  });
});
