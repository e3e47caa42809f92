import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from './module';

export interface SizeMismatch {
  key: string;
  /** The model's shape. */
  expected: number[];
  /** The dict's shape. */
  got: number[];
}

/**
 * Compares a state dict with the model's own (`model.stateDict()`), as PyTorch's load_state_dict does before it
 * copies anything: the keys each side lacks, and an error line for each problem in PyTorch's wording — missing and
 * unexpected keys only when `strict`, entries whose shape differs (or that are not tensors) always.
 */
export function stateDictErrors(own: StateDict, dict: StateDict, strict: boolean) {
  const missingKeys = Object.keys(own).filter((key) => !Object.hasOwn(dict, key));
  const unexpectedKeys = Object.keys(dict).filter((key) => !Object.hasOwn(own, key));
  const errors: string[] = [];
  if (strict && missingKeys.length > 0) errors.push(`Missing key(s) in state_dict: ${quoted(missingKeys)}.`);
  if (strict && unexpectedKeys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${quoted(unexpectedKeys)}.`);
  const sizeMismatches: SizeMismatch[] = [];
  for (const key of Object.keys(own).filter((k) => Object.hasOwn(dict, k))) {
    const value: unknown = dict[key];
    if (!(value instanceof tf.Tensor)) {
      errors.push(`the entry for ${key} is not a tensor (got ${value === null ? 'null' : typeof value}).`);
      continue;
    }
    const expected = own[key].shape;
    if (value.shape.length !== expected.length || value.shape.some((size: number, i: number) => size !== expected[i])) {
      sizeMismatches.push({ key, expected, got: value.shape });
      errors.push(
        `size mismatch for ${key}: copying a param with shape [${value.shape.join(', ')}] from checkpoint, ` +
          `the shape in current model is [${expected.join(', ')}].`,
      );
    }
  }
  return { missingKeys, unexpectedKeys, errors, details: { sizeMismatches } };
}

function quoted(keys: string[]): string {
  return keys.map((key) => `"${key}"`).join(', ');
}
