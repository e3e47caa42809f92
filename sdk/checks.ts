import { ArgumentError } from './errors';

/**
 * Argument checks shared by layers and optimisers. Each raises an ArgumentError naming the argument and the value
 * it got, with `details: { argument, value }`.
 */

/** Sizes, channel and feature counts: an integer ≥ 1. */
export function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ArgumentError(`${name} must be a positive integer, got ${value}`, { argument: name, value });
  }
}

/** Rates and coefficients such as lr, momentum, eps, weight decay: a finite number ≥ 0. Checks each entry. */
export function requireNonNegative(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new ArgumentError(`${name} must be a finite number ≥ 0, got ${value}`, { argument: name, value });
    }
  }
}
