// resizePlane against values worked out by hand from its definition: area averaging with fractional coverage when
// an axis shrinks, linear interpolation between pixel centres (half-pixel alignment, edges clamped) when it grows.
import { describe, expect, it } from 'vitest';
import { resizePlane } from '../../../sdk/image/resample';

const resize = (values: number[], from: [number, number], to: [number, number]) =>
  Array.from(resizePlane(Float32Array.from(values), from, to));

describe('resizePlane', () => {
  it('averages whole pixels when a row shrinks by an integer factor', () => {
    expect(resize([0, 1, 2, 3], [4, 1], [2, 1])).toEqual([0.5, 2.5]);
  });

  it('weights a pixel an output only partly covers by the part it covers', () => {
    // Three pixels into two: each output covers 1.5 input pixels.
    const [a, b, c] = [3, 6, 12];
    const out = resize([a, b, c], [3, 1], [2, 1]);
    expect(out[0]).toBeCloseTo((a + 0.5 * b) / 1.5, 5);
    expect(out[1]).toBeCloseTo((0.5 * b + c) / 1.5, 5);
  });

  it('interpolates between pixel centres when a column grows, the edges clamped', () => {
    // Output centres at −0.25, 0.25, 0.75 and 1.25 input pixels.
    expect(resize([4, 8], [1, 2], [1, 4])).toEqual([4, 5, 7, 8]);
  });

  it('resizes each axis on its own: a grown axis and a shrunk one together', () => {
    // Rows [0, 2] and [4, 6]: each row averaged to one value, then those two spread over three rows.
    const out = resize([0, 2, 4, 6], [2, 2], [1, 3]);
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBeCloseTo(3, 6);
    expect(out[2]).toBeCloseTo(5, 6);
  });

  it('keeps a constant plane constant at any size', () => {
    for (const [from, to] of [
      [[7, 5], [3, 11]],
      [[20, 1], [20, 20]],
      [[13, 17], [20, 6]],
    ] as [[number, number], [number, number]][]) {
      for (const v of resize(new Array(from[0] * from[1]).fill(0.7), from, to)) expect(v).toBeCloseTo(0.7, 6);
    }
  });
});
