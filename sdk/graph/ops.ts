import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { relu, sigmoid } from '../functional/activation';
import { batchNorm, batchNormChannelsLast } from '../functional/batchnorm';
import { conv2dChannelsLast, conv2dCost, conv2dWithFilter } from '../functional/conv';
import { hwioFilter } from '../functional/convolve';
import { linear, transposedForProduct } from '../functional/linear';
import { avgPool2d, avgPool2dChannelsLast, maxPool2d, maxPool2dChannelsLast, pool2dCost } from '../functional/pool';
import { logSoftmax, softmax } from '../functional/softmax';
import { AttrReader } from './attrs';
import type { GraphValue } from './format';
import { axisOf, broadcastShape, concatShape, flattenShape, requireShape, reshapeShape } from './shapes';

/**
 * One op of the op set: its inputs, its options, its output shape from input shapes alone (so a bundle is checked
 * before anything is allocated), and how it runs. Every op runs the same SDK function a module's forward runs, so a
 * loaded graph computes what the traced model computed, to the bit.
 */
export interface OpDefinition {
  /** Input names in order; a trailing '?' marks an optional one (null in the node), '...' any number (≥ 1). */
  inputs: readonly string[] | '...';
  /** Checks and normalises the node's attrs (ArgumentError naming the option). */
  attrs(reader: AttrReader): Record<string, unknown>;
  /** The output shape for these input shapes (null: an optional input left out); ArgumentError if they do not fit. */
  shape(shapes: (readonly number[] | null)[], attrs: Record<string, unknown>): number[];
  /** Computes the op; `kept` is what `keep` prepared for the node once, at load. */
  run(inputs: (tf.Tensor | undefined)[], attrs: Record<string, unknown>, kept?: tf.Tensor): tf.Tensor;
  /** A tensor worth computing once per loaded model when the node's input 1 (a weight) is a state tensor
   *  (linear: Wᵀ, which nn.Linear keeps in eval mode too, so both multiply the same way; conv2d: the filter in
   *  tfjs's layout, which nn.Conv2d keeps too). */
  keep?(inputs: (tf.Tensor | undefined)[]): tf.Tensor;
  /** The op on NHWC data (input 0 `[N, H, W, C]`, output alike), with the values of `run`: GraphModule keeps a run of
   *  such ops in that layout, the one tfjs's convolution and pooling kernels take (see channelsLastRuns). */
  runChannelsLast?(inputs: (tf.Tensor | undefined)[], attrs: Record<string, unknown>, kept?: tf.Tensor): tf.Tensor4D;
  /** Whether a node with these inputs can run so; by default every node of an op with runChannelsLast can. */
  channelsLastTakes?(inputs: readonly GraphValue[]): boolean;
}

type Shapes = (readonly number[] | null)[];

const noAttrs = () => ({});
const sameShape = ([x]: Shapes) => [...x!];

/** The ops of op set 1, by name. Adding an op (or an attribute) means a new op set version. */
export const OPS: ReadonlyMap<string, OpDefinition> = new Map<string, OpDefinition>([
  [
    'linear',
    {
      inputs: ['x', 'weight', 'bias?'],
      attrs: (r) => ({ activation: r.oneOf('activation', ['linear', 'relu'] as const, 'linear') }),
      shape: ([x, weight, bias]) => {
        if (weight!.length !== 2) throw new ArgumentError(`linear: weight must be [out, in], got [${weight}]`);
        const [out, inFeatures] = weight!;
        if (x!.length < 1 || x!.at(-1) !== inFeatures) {
          throw new ArgumentError(`linear: weight [${weight}] takes ${inFeatures} features, the input is [${x}]`);
        }
        if (bias) requireShape('linear: bias', bias, [out]);
        return [...x!.slice(0, -1), out];
      },
      run: ([x, weight, bias], attrs, kept) =>
        linear(x!, weight!, bias, { activation: attrs.activation as 'linear' | 'relu', transposedWeight: kept }),
      keep: ([, weight]) => transposedForProduct(weight!),
    },
  ],
  [
    'conv2d',
    {
      inputs: ['x', 'weight', 'bias?'],
      attrs: (r) => ({ stride: r.sizePair('stride', [1, 1]), padding: r.padding('padding'), dilation: r.sizePair('dilation', [1, 1]) }),
      shape: ([x, weight, bias], attrs) => conv2dCost(x!, weight!, attrs, bias ?? undefined).outputShape,
      run: ([x, weight, bias], attrs, kept) =>
        conv2dWithFilter(x!, weight!, bias, attrs, kept as tf.Tensor4D | undefined),
      keep: ([, weight]) => hwioFilter(weight!),
      runChannelsLast: ([x, weight, bias], attrs, kept) =>
        conv2dChannelsLast(x as tf.Tensor4D, weight!, bias, attrs, kept as tf.Tensor4D | undefined),
    },
  ],
  [
    'maxPool2d',
    {
      inputs: ['x'],
      attrs: poolAttrs,
      shape: ([x], attrs) => pool2dCost(x!, attrs as PoolAttrs).outputShape,
      run: ([x], attrs) => maxPool2d(x!, attrs as PoolAttrs),
      runChannelsLast: ([x], attrs) => maxPool2dChannelsLast(x as tf.Tensor4D, attrs as PoolAttrs),
    },
  ],
  [
    'avgPool2d',
    {
      inputs: ['x'],
      attrs: (r) => ({ ...poolAttrs(r), countIncludePad: r.boolean('countIncludePad', true) }),
      shape: ([x], attrs) => pool2dCost(x!, attrs as PoolAttrs).outputShape,
      run: ([x], attrs) => avgPool2d(x!, attrs as PoolAttrs),
      runChannelsLast: ([x], attrs) => avgPool2dChannelsLast(x as tf.Tensor4D, attrs as PoolAttrs),
    },
  ],
  [
    'batchNorm',
    {
      // Eval-mode batch norm: the running statistics when given, the batch's otherwise (PyTorch's rule).
      inputs: ['x', 'runningMean?', 'runningVar?', 'weight?', 'bias?'],
      attrs: (r) => ({ eps: r.number('eps', 1e-5) }),
      shape: ([x, ...perChannel]) => {
        if (x!.length < 2) throw new ArgumentError(`batchNorm: expects [N, C, …], got [${x}]`);
        perChannel.forEach((shape, i) => shape && requireShape(`batchNorm: input ${i + 1}`, shape, [x![1]]));
        if ((perChannel[0] === null) !== (perChannel[1] === null)) {
          throw new ArgumentError('batchNorm: runningMean and runningVar come together or not at all');
        }
        return [...x!];
      },
      run: ([x, runningMean, runningVar, weight, bias], attrs) =>
        // Read only, never assigned, out of training: plain tensors serve as the statistics.
        batchNorm(x!, runningMean as tf.Variable, runningVar as tf.Variable, weight, bias, {
          training: false,
          eps: attrs.eps as number,
        }),
      runChannelsLast: ([x, runningMean, runningVar, weight, bias], attrs) =>
        batchNormChannelsLast(x as tf.Tensor4D, runningMean!, runningVar!, weight, bias, attrs.eps as number),
      // Without running statistics it normalises by the batch's own, which it computes in NCHW.
      channelsLastTakes: ([, runningMean]) => runningMean !== null,
    },
  ],
  [
    'relu',
    { inputs: ['x'], attrs: noAttrs, shape: sameShape, run: ([x]) => relu(x!), runChannelsLast: ([x]) => relu(x!) as tf.Tensor4D },
  ],
  ['sigmoid', { inputs: ['x'], attrs: noAttrs, shape: sameShape, run: ([x]) => sigmoid(x!) }],
  softmaxLike('softmax', softmax),
  softmaxLike('logSoftmax', logSoftmax),
  [
    'flatten',
    {
      inputs: ['x'],
      attrs: (r) => ({ startDim: r.integer('startDim', 1), endDim: r.integer('endDim', -1) }),
      shape: ([x], attrs) => flattenShape(x!, attrs.startDim as number, attrs.endDim as number),
      run: ([x], attrs) => tf.reshape(x!, flattenShape(x!.shape, attrs.startDim as number, attrs.endDim as number)),
    },
  ],
  [
    'reshape',
    {
      inputs: ['x'],
      attrs: (r) => ({ shape: r.shape('shape') }),
      shape: ([x], attrs) => reshapeShape(x!, attrs.shape as number[]),
      run: ([x], attrs) => tf.reshape(x!, reshapeShape(x!.shape, attrs.shape as number[])),
    },
  ],
  binary('add', tf.add),
  binary('sub', tf.sub),
  binary('mul', tf.mul),
  binary('div', tf.div),
  [
    'concat',
    {
      inputs: '...',
      attrs: (r) => ({ axis: r.integer('axis') }),
      shape: (shapes, attrs) => concatShape(shapes as number[][], attrs.axis as number),
      run: (inputs, attrs) => tf.concat(inputs as tf.Tensor[], attrs.axis as number),
    },
  ],
]);

type PoolAttrs = { kernelSize: [number, number]; stride: [number, number]; padding: [number, number]; ceilMode: boolean };

function poolAttrs(r: AttrReader): PoolAttrs {
  const kernelSize = r.sizePair('kernelSize');
  return { kernelSize, stride: r.sizePair('stride', kernelSize), padding: r.countPair('padding', [0, 0]), ceilMode: r.boolean('ceilMode', false) };
}

function softmaxLike(name: string, fn: (x: tf.Tensor, dim: number) => tf.Tensor): [string, OpDefinition] {
  return [
    name,
    {
      inputs: ['x'],
      attrs: (r) => ({ dim: r.integer('dim') }),
      shape: ([x], attrs) => (axisOf(name, attrs.dim as number, x!.length), [...x!]),
      run: ([x], attrs) => fn(x!, attrs.dim as number),
    },
  ];
}

function binary(name: string, fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): [string, OpDefinition] {
  return [
    name,
    {
      inputs: ['a', 'b'],
      attrs: noAttrs,
      shape: ([a, b]) => broadcastShape(name, a!, b!),
      run: ([a, b]) => fn(a!, b!),
    },
  ];
}

/** The op set's names, for messages. */
export const opNames = (): string[] => [...OPS.keys()];
