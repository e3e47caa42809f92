import * as tf from '@tensorflow/tfjs-core';
import { TraceError } from '../errors';
import type { Module } from '../nn/module';
import { IDENTITY, setRecorder, type OpCall, type Recorder } from './dispatch';
import { INPUT_REF, isStateRef, MAX_CONSTANT_ELEMENTS, MAX_NODES, OPSET_VERSION, type Graph, type GraphNode, type GraphValue } from './format';
import { describeKernel } from './kernels';
import { describeLayer } from './modules';

/** What trace() recorded: the graph, and the model's output on the example (the caller disposes it). */
export interface Traced {
  graph: Graph;
  output: tf.Tensor;
}

type DataId = object;

/**
 * Runs `model.forward(example)` once, as it is (call eval() first for an export), and records it as a graph of the
 * op set, in the manner of torch.export: values are followed from the example through
 * - nn's layers (each one op, see modules.ts), wherever they sit in the module tree;
 * - the public F ops (graph/functional.ts);
 * - the tfjs kernels that have an op-set equivalent (kernels.ts: add, sub, mul, div, reshape, concat, …).
 * A module called more than once (one ReLU or pool for every block, a layer applied twice: shared weights) makes a
 * node at each call. Parameters and buffers become references by state-dict key (a tensor held under two keys by
 * the first); other small tensors the forward makes become inline constants. Fails with a TraceError naming the op
 * and the module (state-dict prefix and class) for a tfjs op the op set lacks, for reading a traced tensor's values
 * (dataSync, arraySync, data: control flow that depends on the data), for a large tensor the state dict does not
 * hold, and for an output that does not come from the input.
 *
 * `example` is a batch (rank ≥ 2, the first axis the batch); the graph takes any batch size. The recording hooks
 * (module forwards, tfjs's kernel dispatch and reads) are removed before trace returns or throws.
 */
export function trace(model: Module, example: tf.Tensor): Traced {
  if (!(example instanceof tf.Tensor) || example.rank < 2 || example.shape[0] < 1 || example.dtype !== 'float32') {
    throw new TraceError('the example must be a float32 tensor with a batch axis first, [N, …] with N ≥ 1', {
      shape: example instanceof tf.Tensor ? example.shape : undefined,
    });
  }
  const recorder = new GraphRecorder(model, example);
  const unhook = [hookModules(model, recorder), hookEngine(recorder)];
  const previous = setRecorder(recorder);
  let output: tf.Tensor;
  try {
    // A tidy scope: what the forward makes besides its output goes, also when the trace fails.
    output = tf.tidy(() => model.forward(example));
  } finally {
    setRecorder(previous);
    for (const undo of unhook.reverse()) undo();
  }
  try {
    return { graph: recorder.finish(output), output };
  } catch (error) {
    output.dispose();
    throw error;
  }
}

/** Where the trace is: the module whose forward runs (state-dict prefix and class), for messages. */
interface Place {
  name: string;
  module: Module;
}

class GraphRecorder implements Recorder {
  private readonly refs = new Map<tf.Tensor, GraphValue>();
  private readonly traced = new Set<DataId>();
  private readonly stateKeys = new Map<tf.Tensor, string>();
  private readonly nodes: GraphNode[] = [];
  private readonly places: Place[] = [];
  private depth = 0;
  private readonly exampleShape: number[];
  /** A violation found where it could not be thrown to the trace (an async read): thrown by finish(). */
  private deferred: TraceError | undefined;

  constructor(
    private readonly model: Module,
    example: tf.Tensor,
  ) {
    for (const [key, tensor] of Object.entries(model.stateDict())) {
      if (!isStateRef(key)) {
        throw new TraceError(`state-dict key "${key}" starts with "$" or "#", which graph references reserve`, { key });
      }
      if (!this.stateKeys.has(tensor)) this.stateKeys.set(tensor, key);
    }
    this.refs.set(example, INPUT_REF);
    this.traced.add(example.dataId);
    this.exampleShape = [...example.shape];
  }

  get recording(): boolean {
    return this.depth === 0;
  }

  enter(place: Place): void {
    this.places.push(place);
  }

  leave(): void {
    this.places.pop();
  }

  /** True for a tensor computed from the input (the values whose reading is data-dependent control flow). */
  isTraced(tensor: tf.Tensor): boolean {
    return this.refs.has(tensor) && this.traced.has(tensor.dataId);
  }

  isTracedData(dataId: DataId): boolean {
    return this.traced.has(dataId);
  }

  record(call: OpCall, compute: () => tf.Tensor): tf.Tensor {
    if (!this.recording) return compute();
    const inputs = call.inputs.map((tensor) => (tensor === null ? null : this.valueOf(tensor, call.op)));
    this.depth++;
    let output: tf.Tensor;
    try {
      output = compute();
    } finally {
      this.depth--;
    }
    if (call.op === IDENTITY) {
      if (!this.refs.has(output)) this.refs.set(output, inputs[0]);
    } else {
      if (this.nodes.length >= MAX_NODES) throw this.error(`the forward makes more than ${MAX_NODES} ops`, call.op);
      // A copy: a module called twice (a shared pool, a Conv2d applied twice) hands the same option arrays to both
      // calls, and a manifest must be a JSON tree, each list and object in one place.
      this.nodes.push({ op: call.op, inputs, attrs: structuredClone(call.attrs), module: this.place()?.name ?? '' });
      this.refs.set(output, `#${this.nodes.length - 1}`);
    }
    this.traced.add(output.dataId);
    return output;
  }

  /** A kernel tfjs is about to run: recorded as its op-set equivalent if it reads a traced value, else left alone. */
  kernel(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>, run: () => tf.Tensor): tf.Tensor {
    if (!this.recording || !Object.values(inputs).some((t) => t instanceof tf.Tensor && this.isTraced(t))) return run();
    const call = describeKernel(name, inputs, attrs);
    if (call === undefined) {
      throw this.error(
        `calls the tfjs op "${name}" on a value computed from the input; op set ${OPSET_VERSION} has no such op. ` +
          "Use the SDK's ops instead (F.*, nn layers registered as fields), or tf.add / sub / mul / div / reshape / concat",
        name,
      );
    }
    return this.record(call, run);
  }

  /** A read of tensor values during the forward. */
  read(dataId: DataId): TraceError | undefined {
    if (!this.recording || !this.isTracedData(dataId)) return undefined;
    const error = this.error(
      'reads tensor values during forward (dataSync, arraySync, data): control flow that depends on the data ' +
        'cannot be exported as a graph. Compute with tensor ops instead (e.g. tf.where rather than an if on a value)',
      'read',
    );
    this.deferred ??= error;
    return error;
  }

  finish(output: unknown): Graph {
    if (this.deferred) throw this.deferred;
    const ref = output instanceof tf.Tensor ? this.refs.get(output) : undefined;
    if (typeof ref !== 'string' || (ref !== INPUT_REF && !ref.startsWith('#'))) {
      throw new TraceError(
        `${this.model.constructor.name}.forward returned ${output instanceof tf.Tensor ? 'a tensor not computed from its input' : 'something other than a tensor'}; ` +
          'an exported model must return one tensor computed from its input',
        { module: '' },
      );
    }
    const [, ...sizes] = this.exampleShape;
    return { opset: OPSET_VERSION, input: { shape: [null, ...sizes] }, nodes: this.nodes, output: ref };
  }

  /** The graph value for `tensor`: its trace, its state-dict key, or itself as an inline constant. */
  private valueOf(tensor: tf.Tensor, op: string): GraphValue {
    const ref = this.refs.get(tensor) ?? this.stateKeys.get(tensor);
    if (ref !== undefined) return ref;
    if (tensor.size > MAX_CONSTANT_ELEMENTS || tensor.dtype !== 'float32') {
      throw this.error(
        `passes ${op} a ${tensor.dtype} [${tensor.shape}] tensor that is neither computed from the input nor a ` +
          `registered parameter or buffer; register it (this.registerBuffer(name, tensor)) so the bundle stores it ` +
          `(tensors of at most ${MAX_CONSTANT_ELEMENTS} float32 values are written inline)`,
        op,
      );
    }
    return { shape: [...tensor.shape], data: Array.from(tensor.dataSync()) };
  }

  private place(): Place | undefined {
    return this.places.at(-1);
  }

  private error(problem: string, op: string): TraceError {
    const place = this.place();
    const where = place === undefined || place.name === '' ? `model ${this.model.constructor.name}` : `module "${place.name}" (${place.module.constructor.name})`;
    return new TraceError(`${where} ${problem}`, { op, module: place?.name ?? '' });
  }
}

/**
 * Replaces each module's forward, on the instance, by one that tells the recorder where it is and records nn's
 * layers as single ops. Returns the undo (the instance's own forward, if it had one, comes back).
 */
function hookModules(model: Module, recorder: GraphRecorder): () => void {
  const undo: (() => void)[] = [];
  for (const [name, module] of model.namedModules()) {
    const own = Object.getOwnPropertyDescriptor(module, 'forward');
    const original = module.forward;
    const forward = (x: tf.Tensor, ...more: unknown[]): tf.Tensor => {
      recorder.enter({ name, module });
      try {
        const call = recorder.recording ? describeLayer(module, x) : undefined;
        const run = () => original.call(module, x, ...more);
        return call === undefined ? run() : recorder.record(call, run);
      } finally {
        recorder.leave();
      }
    };
    Object.defineProperty(module, 'forward', { value: forward, configurable: true, writable: true });
    undo.push(() => (own ? Object.defineProperty(module, 'forward', own) : delete (module as { forward?: unknown }).forward));
  }
  return () => undo.forEach((restore) => restore());
}

/** Routes tfjs's kernel dispatch and data reads through the recorder; returns the undo. */
function hookEngine(recorder: GraphRecorder): () => void {
  const engine = tf.engine() as unknown as {
    runKernel(name: string, inputs: tf.NamedTensorMap, attrs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
    readSync(dataId: DataId): unknown;
    read(dataId: DataId): Promise<unknown>;
  };
  const { runKernel, readSync, read } = engine;
  const own = (['runKernel', 'readSync', 'read'] as const).map((key) => [key, Object.getOwnPropertyDescriptor(engine, key)] as const);
  engine.runKernel = function (name, inputs, attrs = {}) {
    return recorder.kernel(name, inputs, attrs, () => runKernel.call(engine, name, inputs, attrs) as tf.Tensor);
  };
  engine.readSync = function (dataId) {
    const error = recorder.read(dataId);
    if (error) throw error;
    return readSync.call(engine, dataId);
  };
  engine.read = function (dataId) {
    const error = recorder.read(dataId);
    return error ? Promise.reject(error) : read.call(engine, dataId);
  };
  return () => {
    for (const [key, descriptor] of own) {
      if (descriptor) Object.defineProperty(engine, key, descriptor);
      else delete (engine as Record<string, unknown>)[key];
    }
  };
}
