import fc from 'fast-check';
import { expect } from 'vitest';
import { EdgeMLError } from '../../sdk/errors';

/** Fixed seed and a bounded number of runs so `npm test` is repeatable; EDGEML_PROPERTY_RUNS raises the count. */
export const propertyParameters: fc.Parameters<unknown> = {
  seed: 20261126,
  numRuns: Number(process.env.EDGEML_PROPERTY_RUNS ?? 200),
};

/** Runs `read` and passes if it returns or throws one of edgeml's typed errors; anything else fails the property. */
export function expectOnlyTypedErrors(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    expect(error, String((error as Error)?.stack ?? error)).toBeInstanceOf(EdgeMLError);
  }
}

/** Mutations of real bytes: flip bytes, truncate, splice in random bytes. */
export function mutatedBytes(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc
    .array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const copy = original.slice();
      for (const [at, value] of edits) copy[at] = value;
      return copy;
    });
  const truncate = fc.nat(original.length).map((end) => original.slice(0, end));
  const splice = fc
    .tuple(fc.nat(original.length), fc.uint8Array({ maxLength: 64 }))
    .map(([at, bytes]) => Uint8Array.from([...original.slice(0, at), ...bytes, ...original.slice(at)]));
  return fc.oneof(flip, truncate, splice);
}
