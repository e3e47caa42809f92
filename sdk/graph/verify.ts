import * as tf from '@tensorflow/tfjs-core';
import { BundleError, TraceError } from '../errors';
import type { Module } from '../nn/module';
import { checkGraph } from './check';
import { GraphModule } from './graph-module';
import type { Traced } from './trace';

/** How far a rebuilt graph's output may be from the model's: |graph − model| ≤ TOLERANCE · (1 + |model|). */
export const TOLERANCE = 1e-5;

/**
 * Checks that the traced graph is the model: checked as a bundle's graph is at load, rebuilt from the model's state
 * with no user code, it must give the traced output on the example, and what the model gives on a batch of twice
 * the example's size (the example repeated), within TOLERANCE. The second run catches a forward that depends on the
 * batch size or on values in a way the trace could not see. Throws TraceError saying which run differs and where.
 */
export function verifyTrace(model: Module, example: tf.Tensor, traced: Traced): void {
  const state = model.stateDict();
  let rebuilt: GraphModule;
  try {
    const checked = checkGraph(traced.graph, new Map(Object.entries(state).map(([key, tensor]) => [key, tensor.shape])));
    rebuilt = new GraphModule(checked, Object.fromEntries(checked.stateKeys.map((key) => [key, tf.clone(state[key])])));
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    throw new TraceError(`the traced graph is not valid: ${error.message}`, error.details);
  }
  const doubled = tf.concat([example, example]);
  try {
    compare('the example', tf.tidy(() => rebuilt.forward(example)), traced.output);
    let live: tf.Tensor;
    try {
      live = tf.tidy(() => model.forward(doubled));
    } catch (error) {
      throw new TraceError(
        `the model fails on a batch of ${doubled.shape[0]} (the example twice): ${(error as Error).message}; ` +
          'an exported model must take any batch size',
        { batch: doubled.shape[0] },
      );
    }
    try {
      compare(`a batch of ${doubled.shape[0]} (the example twice)`, tf.tidy(() => rebuilt.forward(doubled)), live);
    } finally {
      live.dispose();
    }
  } finally {
    doubled.dispose();
    rebuilt.dispose();
  }
}

/** Throws TraceError unless `got` (disposed here) matches `expected` within TOLERANCE. */
function compare(what: string, got: tf.Tensor, expected: tf.Tensor): void {
  try {
    const same = got.rank === expected.rank && got.shape.every((size, i) => size === expected.shape[i]);
    if (!same) {
      throw new TraceError(`the traced graph gives shape [${got.shape}] on ${what}, the model [${expected.shape}]`, {
        got: got.shape,
        expected: expected.shape,
      });
    }
    const [a, b] = [got.dataSync(), expected.dataSync()];
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i] - b[i]) <= TOLERANCE * (1 + Math.abs(b[i])))) {
        throw new TraceError(
          `the traced graph gives ${a[i]} at output element ${i} on ${what}, where the model gives ${b[i]}: the ` +
            'forward depends on something a trace cannot see (a branch on the batch size, a value read outside tfjs, ' +
            'randomness); compute it with tensor ops',
          { element: i, got: a[i], expected: b[i] },
        );
      }
    }
  } finally {
    got.dispose();
  }
}
