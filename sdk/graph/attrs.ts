import { ArgumentError } from '../errors';

/**
 * Reads one node's `attrs`, checking each option's type and range as it goes; an option that is wrong throws an
 * ArgumentError naming it (checkGraph turns it into a BundleError naming the node). A missing option with a fallback
 * takes the fallback.
 */
export class AttrReader {
  constructor(
    private readonly op: string,
    private readonly attrs: Record<string, unknown>,
  ) {}

  number(key: string, fallback?: number): number {
    return this.read(key, fallback, (v) => typeof v === 'number' && Number.isFinite(v), 'a finite number') as number;
  }

  integer(key: string, fallback?: number): number {
    return this.read(key, fallback, Number.isSafeInteger, 'an integer') as number;
  }

  boolean(key: string, fallback?: boolean): boolean {
    return this.read(key, fallback, (v) => typeof v === 'boolean', 'true or false') as boolean;
  }

  /** A pair of positive integers (kernel sizes, strides, dilations). */
  sizePair(key: string, fallback?: [number, number]): [number, number] {
    return this.read(key, fallback, (v) => isPair(v, 1), 'a pair of positive integers') as [number, number];
  }

  /** A pair of non-negative integers (paddings). */
  countPair(key: string, fallback?: [number, number]): [number, number] {
    return this.read(key, fallback, (v) => isPair(v, 0), 'a pair of non-negative integers') as [number, number];
  }

  oneOf<T extends string>(key: string, names: readonly T[], fallback?: T): T {
    const expected = `one of ${names.map((n) => `"${n}"`).join(', ')}`;
    return this.read(key, fallback, (v) => names.includes(v as T), expected) as T;
  }

  /** A target shape for reshape: integers ≥ −1 (−1: inferred; 0: the input's size on that axis), at most one −1. */
  shape(key: string): number[] {
    const valid = (v: unknown) =>
      Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= -1) && v.filter((n) => n === -1).length <= 1;
    return this.read(key, undefined, valid, 'a list of integers ≥ −1 with at most one −1') as number[];
  }

  /** conv2d's padding: a pair, or "valid", "same" or "full". */
  padding(key: string): [number, number] | 'valid' | 'same' | 'full' {
    const names = ['valid', 'same', 'full'];
    const valid = (v: unknown) => isPair(v, 0) || names.includes(v as string);
    return this.read(key, [0, 0], valid, 'a pair of non-negative integers or "valid", "same", "full"') as
      | [number, number]
      | 'valid'
      | 'same'
      | 'full';
  }

  private read(key: string, fallback: unknown, valid: (value: unknown) => boolean, expected: string): unknown {
    const value = this.attrs[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (!valid(value)) {
      const shown = value === undefined ? 'nothing' : JSON.stringify(value);
      throw new ArgumentError(`${this.op}: attribute "${key}" must be ${expected}, got ${shown}`, { attr: key });
    }
    return Array.isArray(value) ? [...value] : value;
  }
}

function isPair(value: unknown, least: number): boolean {
  return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && n >= least);
}
