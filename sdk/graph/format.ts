import { BundleError } from '../errors';

/** The op set this edgeml writes and the newest it reads (see ops.ts for the ops and their meaning). */
export const OPSET_VERSION = 1;

/** The graph's input, written in a node's inputs. */
export const INPUT_REF = '$input';

/**
 * A value a node reads:
 * - `"$input"`: the graph's input;
 * - `"#3"`: the output of node 3 (an earlier node);
 * - any other string: the state-dict tensor of that key (`linear1.weight`, `bn.running_mean`) in the weights file;
 * - `{ shape, data }`: a small constant written inline (a scalar the forward multiplied by, say);
 * - `null`: an optional input left out (a Linear without bias).
 */
export type GraphValue = string | GraphConstant | null;

export interface GraphConstant {
  shape: number[];
  /** Row-major float32 values. */
  data: number[];
}

/** One op application, in execution order. */
export interface GraphNode {
  /** An op of the graph's op set (ops.ts). */
  op: string;
  inputs: GraphValue[];
  /** The op's options (stride, padding, dim, …), as ops.ts describes them. */
  attrs: Record<string, unknown>;
  /** The module whose forward made the node, by state-dict prefix ('' for the model itself); for messages. */
  module: string;
}

/**
 * `manifest.graph` of a traced bundle: the model's forward as it ran on the example input, a straight list of op
 * applications with no control flow. `input.shape` is the example's shape with the batch dimension (the first) as
 * null: the graph takes any batch size and exactly the other dimensions.
 */
export interface Graph {
  opset: number;
  input: { shape: (number | null)[] };
  nodes: GraphNode[];
  output: string;
}

/** Most nodes a graph may hold: far above any model this SDK trains, and a bound on the work a manifest can ask for. */
export const MAX_NODES = 10_000;
/** Most elements of an inline constant; a larger tensor belongs in the weights file as a buffer. */
export const MAX_CONSTANT_ELEMENTS = 256;

/**
 * Checks the structure of `manifest.graph` (what each field is, not yet whether ops and tensors exist: checkGraph
 * does that against the weights) and returns it typed. Throws BundleError naming the field; a newer op set says to
 * upgrade edgeml.
 */
export function parseGraph(value: unknown): Graph {
  const graph = object(value, 'graph');
  const opset = graph.opset;
  if (!Number.isSafeInteger(opset) || (opset as number) < 1) invalid('graph.opset', 'a positive integer', opset);
  if ((opset as number) > OPSET_VERSION) {
    throw new BundleError(
      `the graph uses op set ${opset}; this edgeml runs op sets up to ${OPSET_VERSION} — upgrade edgeml`,
      { field: 'graph.opset', opset, supported: OPSET_VERSION },
    );
  }
  const input = object(graph.input, 'graph.input');
  const shape = input.shape;
  const validShape =
    Array.isArray(shape) &&
    shape.length >= 2 &&
    shape[0] === null &&
    shape.slice(1).every((size) => Number.isSafeInteger(size) && size > 0);
  if (!validShape) invalid('graph.input.shape', 'a list [null, ...positive sizes] (null: any batch size)', shape);
  const nodes = graph.nodes;
  if (!Array.isArray(nodes) || nodes.length > MAX_NODES) invalid('graph.nodes', `a list of at most ${MAX_NODES} nodes`, nodes);
  const parsed = (nodes as unknown[]).map((node, i) => parseNode(node, `graph.nodes[${i}]`));
  const output = graph.output;
  if (typeof output !== 'string') invalid('graph.output', 'a value reference such as "#3"', output);
  return { opset: opset as number, input: { shape: [...(shape as (number | null)[])] }, nodes: parsed, output: output as string };
}

/** The node index a `#n` reference names, or undefined for any other reference. */
export function nodeIndex(ref: string): number | undefined {
  const match = /^#(0|[1-9]\d*)$/.exec(ref);
  return match ? Number(match[1]) : undefined;
}

/** True for a reference to a state-dict tensor (not `$input`, not `#n`). */
export function isStateRef(ref: string): boolean {
  return !ref.startsWith('$') && !ref.startsWith('#');
}

function parseNode(value: unknown, field: string): GraphNode {
  const node = object(value, field);
  if (typeof node.op !== 'string' || node.op === '') invalid(`${field}.op`, 'an op name', node.op);
  if (!Array.isArray(node.inputs)) invalid(`${field}.inputs`, 'a list of value references', node.inputs);
  const inputs = (node.inputs as unknown[]).map((input, i) => parseValue(input, `${field}.inputs[${i}]`));
  const attrs = node.attrs === undefined ? {} : object(node.attrs, `${field}.attrs`);
  const module = node.module === undefined ? '' : node.module;
  if (typeof module !== 'string') invalid(`${field}.module`, 'a string', module);
  return { op: node.op as string, inputs, attrs, module: module as string };
}

function parseValue(value: unknown, field: string): GraphValue {
  if (value === null) return null;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    invalid(field, 'a reference ("$input", "#n", a state-dict key), an inline constant {shape, data} or null', value);
  }
  const { shape, data } = value as Record<string, unknown>;
  const sizes = Array.isArray(shape) && shape.every((size) => Number.isSafeInteger(size) && size >= 0);
  if (!sizes) invalid(`${field}.shape`, 'a list of non-negative integers', shape);
  const count = (shape as number[]).reduce((product, size) => product * size, 1);
  if (count > MAX_CONSTANT_ELEMENTS) invalid(`${field}.shape`, `at most ${MAX_CONSTANT_ELEMENTS} elements`, shape);
  const values = Array.isArray(data) && data.length === count && data.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!values) invalid(`${field}.data`, `a list of ${count} finite numbers`, data);
  return { shape: [...(shape as number[])], data: [...(data as number[])] };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'an object', value);
  return value as Record<string, unknown>;
}

function invalid(field: string, expected: string, value: unknown): never {
  const text = value === undefined ? 'nothing (the field is missing)' : (JSON.stringify(value) ?? String(value));
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  throw new BundleError(`manifest field "${field}" must be ${expected}, got ${shown}`, { field });
}
