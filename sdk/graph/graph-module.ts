import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { Module } from '../nn/module';
import type { CheckedGraph } from './check';
import { toNchw, toNhwc } from '../functional/layout';
import { INPUT_REF, nodeIndex, type Graph, type GraphValue } from './format';
import { OPS } from './ops';

/** Ops that keep a feature map's channels as they are, and so still belong to the layer before them. */
const PER_CHANNEL = new Set(['batchNorm', 'relu', 'sigmoid']);

/**
 * A model rebuilt from a traced graph, runnable with no user code: `forward` runs the graph's nodes in order, each
 * with the SDK function the traced model ran. The graph's state tensors are its buffers, under their state-dict keys
 * (`linear1.weight`), so the module disposes them; it has no parameters (it is for inference). Eval mode only:
 * `train()` changes nothing, since the graph was traced in eval mode.
 */
export class GraphModule extends Module {
  private readonly checked: CheckedGraph;
  private readonly state = new Map<string, tf.Tensor>();
  /** What ops prepare once per model (a Linear's Wᵀ), by node index. */
  private readonly kept: (tf.Tensor | undefined)[] = [];
  /** The runs of nodes that stay in NHWC (channelsLastRuns): first node → last node. */
  private readonly runs: ReadonlyMap<number, number>;

  /**
   * `checked` comes from checkGraph, `state` holds at least its stateKeys at the shapes checked; the module takes the
   * tensors of those keys over (they are disposed with it) and leaves the others to the caller.
   */
  constructor(checked: CheckedGraph, state: Record<string, tf.Tensor>) {
    super();
    this.checked = checked;
    this.runs = channelsLastRuns(checked.graph);
    for (const key of checked.stateKeys) this.state.set(key, this.registerBuffer(key, state[key]));
    checked.graph.nodes.forEach((node, at) => {
      const op = OPS.get(node.op)!;
      const weight = node.inputs[1];
      if (op.keep && typeof weight === 'string' && this.state.has(weight)) this.kept[at] = tf.keep(tf.tidy(() => op.keep!(node.inputs.map((v) => this.resolve(v, [])))));
    });
    this.eval();
  }

  /** The graph's output for `x`, a batch of the graph's input shape (any batch size). ArgumentError otherwise. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.runUntil(x, this.checked.graph.output);
  }

  /**
   * The first layer's feature maps (`[N, C, H, W]`): the output of the graph's first conv2d node and of the batch
   * norm and activation nodes right after it. Undefined when the graph has no convolution.
   */
  firstFeatureMaps(x: tf.Tensor): tf.Tensor | undefined {
    const nodes = this.checked.graph.nodes;
    let last = nodes.findIndex((node) => node.op === 'conv2d');
    if (last < 0) return undefined;
    while (last + 1 < nodes.length && PER_CHANNEL.has(nodes[last + 1].op) && nodes[last + 1].inputs[0] === `#${last}`) last++;
    return this.runUntil(x, `#${last}`);
  }

  override dispose(): void {
    for (const tensor of this.kept) tensor?.dispose();
    this.kept.length = 0;
    super.dispose();
  }

  private runUntil(x: tf.Tensor, output: string): tf.Tensor {
    this.checkInput(x);
    const end = nodeIndex(output);
    return tf.tidy(() => {
      // A node inside a run kept in NHWC has no value of its own: only the next node of the run reads it.
      const values: (tf.Tensor | undefined)[] = [];
      const nodes = this.checked.graph.nodes;
      const inference = !tf.engine().isTapeOn();
      for (let at = 0; end !== undefined && at <= end; at++) {
        const inputs = nodes[at].inputs.map((value) => this.resolve(value, values, x));
        const runEnd = inference && inputs[0]?.rank === 4 ? this.runs.get(at) : undefined;
        if (runEnd === undefined) {
          values.push(OPS.get(nodes[at].op)!.run(inputs, this.checked.attrs[at], this.kept[at]));
          continue;
        }
        let h = toNhwc(inputs[0]!);
        for (const last = Math.min(runEnd, end); ; at++) {
          const nodeInputs = nodes[at].inputs.map((value, i) => (i === 0 ? h : this.resolve(value, values, x)));
          h = OPS.get(nodes[at].op)!.runChannelsLast!(nodeInputs, this.checked.attrs[at], this.kept[at]);
          if (at === last) break;
          values.push(undefined);
        }
        values.push(toNchw(h, 4));
      }
      return output === INPUT_REF ? x : values[end!]!;
    });
  }

  private resolve(value: GraphValue, values: (tf.Tensor | undefined)[], x?: tf.Tensor): tf.Tensor | undefined {
    if (value === null) return undefined;
    if (typeof value !== 'string') return tf.tensor(value.data, value.shape, 'float32');
    if (value === INPUT_REF) return x;
    const index = nodeIndex(value);
    return index === undefined ? this.state.get(value) : values[index];
  }

  private checkInput(x: tf.Tensor): void {
    const expected = this.checked.graph.input.shape;
    const fits = x.rank === expected.length && expected.every((size, i) => size === null || size === x.shape[i]);
    if (!fits) {
      const shown = expected.map((size) => size ?? 'N').join(', ');
      throw new ArgumentError(`the model takes inputs of shape [${shown}] (N: any batch size), got [${x.shape}]`, {
        expected: expected.slice(1),
        shape: x.shape,
      });
    }
  }
}

/** The ops whose kernels need NHWC, so that each alone moves its input there and its output back. */
const LAYOUT_BOUND = new Set(['conv2d', 'maxPool2d', 'avgPool2d']);

/**
 * The runs of nodes that can pass their values on in NHWC, tfjs's layout for convolution and pooling, moving the data
 * between layouts only at the run's ends (nn.Sequential does the same for its layers, see channelsLastRun): nodes
 * with an NHWC form (runChannelsLast, channelsLastTakes), each reading the node before it as its input 0 and being
 * the only reader of that node, with two or more convolutions or poolings among them. At run time a run also needs a 4-D input and no
 * gradient tape. First node → last node.
 */
function channelsLastRuns({ nodes, output }: Graph): Map<number, number> {
  const readers = new Array<number>(nodes.length).fill(0);
  for (const ref of [output, ...nodes.flatMap((node) => node.inputs)]) {
    const index = typeof ref === 'string' ? nodeIndex(ref) : undefined;
    if (index !== undefined) readers[index]++;
  }
  const joins = (at: number) => {
    const op = OPS.get(nodes[at].op)!;
    return op.runChannelsLast !== undefined && (op.channelsLastTakes?.(nodes[at].inputs) ?? true);
  };
  const runs = new Map<number, number>();
  for (let start = 0; start < nodes.length; start++) {
    if (!joins(start)) continue;
    let last = start;
    while (last + 1 < nodes.length && joins(last + 1) && nodes[last + 1].inputs[0] === `#${last}` && readers[last] === 1) last++;
    let bound = 0;
    for (let at = start; at <= last; at++) if (LAYOUT_BOUND.has(nodes[at].op)) bound++;
    if (bound > 1) runs.set(start, last);
    start = last;
  }
  return runs;
}
