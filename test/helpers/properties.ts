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
