import type * as tf from '@tensorflow/tfjs-core';
import { identity, type OpCall } from './dispatch';

type KernelAttrs = Record<string, unknown>;
type Describe = (inputs: tf.NamedTensorMap, attrs: KernelAttrs) => OpCall;

const binary =
  (op: string): Describe =>
  ({ a, b }) => ({ op, inputs: [a, b], attrs: {} });

/**
 * The tfjs kernels a traced forward may run on traced values outside the SDK's ops (`tf.add(a, b)`, `tf.reshape`,
 * `tf.concat`, …), each as the op-set op that computes the same. Any other kernel on a traced value fails the trace.
 */
const KERNELS = new Map<string, Describe>([
  ['Add', binary('add')],
  ['Sub', binary('sub')],
  ['Multiply', binary('mul')],
  ['RealDiv', binary('div')],
  ['Relu', ({ x }) => ({ op: 'relu', inputs: [x], attrs: {} })],
  ['Sigmoid', ({ x }) => ({ op: 'sigmoid', inputs: [x], attrs: {} })],
  ['Reshape', ({ x }, { shape }) => ({ op: 'reshape', inputs: [x], attrs: { shape: batchFree(x, shape as number[]) } })],
  ['Concat', (inputs, { axis }) => ({ op: 'concat', inputs: Object.values(inputs), attrs: { axis } })],
  // tf.clone, and a cast to the dtype a tensor already has.
  ['Identity', ({ x }) => identity(x)],
]);

/** The op call a tfjs kernel run stands for, or undefined for a kernel the op set lacks. */
export function describeKernel(name: string, inputs: tf.NamedTensorMap, attrs: KernelAttrs): OpCall | undefined {
  return KERNELS.get(name)?.(inputs, attrs);
}

/**
 * A reshape's target with the batch size left free: a first size equal to the input's batch size becomes 0 ("copy
 * the input's size", as ONNX's Reshape), so `tf.reshape(x, [x.shape[0], -1])` keeps working for other batch sizes.
 * The trace's check on a batch of another size catches a reshape that meant something else.
 */
function batchFree(x: tf.Tensor, shape: number[]): number[] {
  return x.rank > 0 && shape.length > 0 && shape[0] === x.shape[0] ? [0, ...shape.slice(1)] : [...shape];
}
