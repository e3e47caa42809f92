import { ArgumentError, BundleError } from '../errors';
import { AttrReader } from './attrs';
import { INPUT_REF, isStateRef, nodeIndex, type Graph, type GraphValue } from './format';
import { OPS, opNames } from './ops';

/** The batch size shapes are worked out with: any size does, the graph's batch dimension being free. */
export const CHECK_BATCH = 2;

/** A graph as checkGraph leaves it: every node's attrs normalised, and the shapes it will compute. */
export interface CheckedGraph {
  graph: Graph;
  /** Each node's attrs, checked and with defaults filled in, by node index. */
  attrs: Record<string, unknown>[];
  /** The state-dict keys the graph reads, in first-use order. */
  stateKeys: string[];
  /** The output's shape for an input batch of CHECK_BATCH. */
  outputShape: number[];
}

/**
 * Checks `graph` against the state tensors the weights file holds (`stateShapes`, key → shape, read from its header)
 * without running or allocating anything: every op is in the op set, every input is the graph input, an earlier
 * node's output or a tensor the file holds, each node's attrs are valid, and the shapes fit through every node (each
 * op's shape rule; conv and pooling with the SDK's own checks). Throws BundleError naming the node, its op and the
 * module that made it.
 */
export function checkGraph(graph: Graph, stateShapes: ReadonlyMap<string, readonly number[]>): CheckedGraph {
  const shapes: number[][] = [];
  const attrs: Record<string, unknown>[] = [];
  const stateKeys = new Set<string>();
  const inputShape = graph.input.shape.map((size) => size ?? CHECK_BATCH);

  const shapeOf = (value: GraphValue, at: number, slot: number): number[] | null => {
    if (value === null) return null;
    if (typeof value !== 'string') return value.shape;
    if (value === INPUT_REF) return inputShape;
    const index = nodeIndex(value);
    if (index !== undefined) {
      if (index >= at) throw nodeError(graph, at, `input ${slot} refers to node ${index}, which does not come before it`);
      return shapes[index];
    }
    if (!isStateRef(value)) throw nodeError(graph, at, `input ${slot} is ${JSON.stringify(value)}, not a value reference`);
    const shape = stateShapes.get(value);
    if (shape === undefined) {
      throw nodeError(graph, at, `input ${slot} is the tensor "${value}", which the weights file does not hold`, {
        missing: value,
      });
    }
    stateKeys.add(value);
    return [...shape];
  };

  graph.nodes.forEach((node, at) => {
    const op = OPS.get(node.op);
    if (op === undefined) {
      throw nodeError(graph, at, `unknown op "${node.op}"; op set ${graph.opset} has ${opNames().join(', ')}`, {
        op: node.op,
      });
    }
    checkArity(graph, at, op.inputs, node.inputs);
    const inputShapes = node.inputs.map((value, slot) => shapeOf(value, at, slot));
    try {
      attrs[at] = op.attrs(new AttrReader(node.op, node.attrs));
      shapes[at] = op.shape(inputShapes, attrs[at]);
    } catch (error) {
      if (!(error instanceof ArgumentError)) throw error;
      throw nodeError(graph, at, error.message, error.details);
    }
  });

  const output = shapeOf(graph.output, graph.nodes.length, 0);
  if (output === null) throw new BundleError('manifest field "graph.output" must name a value, got null', { field: 'graph.output' });
  return { graph, attrs, stateKeys: [...stateKeys], outputShape: [...output] };
}

function checkArity(graph: Graph, at: number, names: readonly string[] | '...', inputs: readonly GraphValue[]): void {
  if (names === '...') {
    if (inputs.length === 0 || inputs.includes(null)) throw nodeError(graph, at, 'needs one or more inputs, none of them null');
    return;
  }
  const required = names.filter((name) => !name.endsWith('?')).length;
  const missing = names.slice(0, required).findIndex((_, i) => inputs[i] === null || inputs[i] === undefined);
  if (inputs.length > names.length || inputs.length < required || missing >= 0) {
    throw nodeError(graph, at, `takes inputs (${names.join(', ')}), got ${inputs.length} (${JSON.stringify(inputs)})`);
  }
}

function nodeError(graph: Graph, at: number, problem: string, details: Record<string, unknown> = {}): BundleError {
  const node = graph.nodes[at];
  if (node === undefined) return new BundleError(`graph output: ${problem}`, { field: 'graph.output', ...details });
  const module = node.module === '' ? 'the model' : `module "${node.module}"`;
  return new BundleError(`graph node ${at} (${node.op}, from ${module}): ${problem}`, {
    field: `graph.nodes[${at}]`,
    node: at,
    op: node.op,
    module: node.module,
    ...details,
  });
}
