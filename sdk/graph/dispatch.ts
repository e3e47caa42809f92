import type * as tf from '@tensorflow/tfjs-core';

/** One application of an op of the op set, as a traced function describes it: its inputs and its attrs. */
export interface OpCall {
  op: string;
  /** Tensors in the op's input order; null for an optional input left out. */
  inputs: (tf.Tensor | null)[];
  attrs: Record<string, unknown>;
}

/**
 * The op name of a call that passes its input through unchanged (dropout in eval mode): the recorder makes no node
 * for it, and its result stands for its first input. Not an op of the op set.
 */
export const IDENTITY = 'identity';

/** A call of IDENTITY on `x`. */
export const identity = (x: tf.Tensor): OpCall => ({ op: IDENTITY, inputs: [x], attrs: {} });

/** The trace being recorded (trace.ts). `record` runs `compute` and notes its result as one node made of `call`. */
export interface Recorder {
  /** False while an op already being recorded runs: what it calls inside is its own business, not the graph's. */
  readonly recording: boolean;
  record(call: OpCall, compute: () => tf.Tensor): tf.Tensor;
}

let active: Recorder | null = null;

/** Makes `recorder` the one traceable functions report to (null: none); returns the one it replaces. */
export function setRecorder(recorder: Recorder | null): Recorder | null {
  const previous = active;
  active = recorder;
  return previous;
}

/**
 * `fn`, reporting each call to the active recorder as the op call `describe` makes of its arguments. With no trace
 * running it is `fn` plus one null check. `describe` may throw (a TraceError) for arguments the graph cannot hold.
 */
export function traceable<Args extends unknown[]>(
  fn: (...args: Args) => tf.Tensor,
  describe: (...args: Args) => OpCall,
): (...args: Args) => tf.Tensor {
  return (...args) => (active?.recording ? active.record(describe(...args), () => fn(...args)) : fn(...args));
}
