import { describe, expect, it } from 'vitest';
import { floatToHalf, halfToFloat } from '../../sdk/half-float';

describe('floatToHalf', () => {
  it('gives back every binary16 value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToFloat(bits);
      if (Number.isNaN(value)) expect(Number.isNaN(halfToFloat(floatToHalf(value)))).toBe(true);
      else expect(floatToHalf(value)).toBe(bits);
    }
  });

  it('rounds to the nearest half, ties to even', () => {
    const ulp = 2 ** -10; // spacing of halves in [1, 2)
    expect(floatToHalf(1 + ulp / 2)).toBe(0x3c00); // tie: down to the even 1.0
    expect(floatToHalf(1 + (3 * ulp) / 2)).toBe(0x3c02); // tie: up to the even 1 + 2 ulp
    expect(floatToHalf(1 + ulp * 0.51)).toBe(0x3c01);
    expect(floatToHalf(-2.0001)).toBe(0xc000);
    expect(halfToFloat(floatToHalf(0.1))).toBeCloseTo(0.0999755859375, 12);
  });

  it('handles the ends of the range: subnormals, zero, overflow', () => {
    expect(floatToHalf(2 ** -24)).toBe(0x0001); // the smallest subnormal
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // half of it: a tie, to even (zero)
    expect(floatToHalf(2 ** -25 * 1.01)).toBe(0x0001);
    expect(floatToHalf(1e-10)).toBe(0);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds up past the largest finite half
    expect(floatToHalf(-Infinity)).toBe(0xfc00);
  });
});
