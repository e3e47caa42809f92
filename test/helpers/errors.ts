import { expect } from 'vitest';

/** The error `action` throws, asserted to be a `type` (an error of another class fails the test there). */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, action: () => unknown): E {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
