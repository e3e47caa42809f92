import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module';
import { ModuleList } from './module_list';
import { Sequential } from './sequential';

export interface SummaryRow {
  /** The module's class and the row's number, as torchsummary writes it: `Linear-1`. */
  layer: string;
  /** The batch dimension shown as `batchSize` (-1 by default). */
  outputShape: number[];
  /** The module's own parameters' elements (its children have rows of their own). */
  parameters: number;
}

export interface Summary {
  rows: SummaryRow[];
  /** Summed over the rows, as torchsummary does. */
  totalParameters: number;
  trainableParameters: number;
  /** The table, in torchsummary's layout. */
  toString(): string;
}

export interface SummaryOptions {
  /** The batch size shown in output shapes and counted in the input size; -1 (the default) stands for any. */
  batchSize?: number;
}

const MB = 1024 ** 2;
const BYTES_PER_VALUE = 4;

/**
 * torchsummary's `summary(model, input_size)`: runs one forward pass of a batch of two zero inputs, each of shape
 * `inputSize` (without the batch dimension, as torchsummary's `input_size`), and lists every module that returns an
 * output — each child, at any depth, and the model itself; not nn.Sequential and nn.ModuleList, which only hold
 * others — in the order their forward calls finish, with its output shape and its own parameter count. Below the
 * table: parameter totals and torchsummary's size estimates (4 bytes a value; outputs counted twice, for their
 * gradients). The pass runs in eval mode, so no statistics change; each module's mode is restored after.
 */
export function summary(model: Module, inputSize: number[], { batchSize = -1 }: SummaryOptions = {}): Summary {
  const rows: (SummaryRow & { trainable: number })[] = [];
  const modules = model.modules();
  const modes = modules.map((module) => module.training);
  const watched = modules.filter((module) => !(module instanceof Sequential || module instanceof ModuleList));
  // Each module's forward, wrapped to record its row, is set as an own property in front of the class's method;
  // afterwards the module's own property, if it had one, is put back, or the wrapper deleted.
  const ownForwards = watched.map((module) => Object.getOwnPropertyDescriptor(module, 'forward'));
  for (const module of watched) {
    const forward = module.forward;
    module.forward = (x: tf.Tensor, ...more: unknown[]) => {
      const y = forward.call(module, x, ...more);
      const own = module.parameters(false);
      rows.push({
        layer: `${module.constructor.name}-${rows.length + 1}`,
        outputShape: [batchSize, ...y.shape.slice(1)],
        parameters: countElements(own),
        trainable: countElements(own.filter((p) => p.trainable)),
      });
      return y;
    };
  }
  try {
    model.eval();
    tf.tidy(() => void model.forward(tf.zeros([2, ...inputSize])));
  } finally {
    watched.forEach((module, i) => {
      const own = ownForwards[i];
      if (own) Object.defineProperty(module, 'forward', own);
      else delete (module as Partial<Module>).forward;
    });
    // Parents come first, so each module's own train() call is the last to set its mode.
    modules.forEach((module, i) => module.train(modes[i]));
  }
  const totalParameters = rows.reduce((sum, row) => sum + row.parameters, 0);
  const trainableParameters = rows.reduce((sum, row) => sum + row.trainable, 0);
  const table = rows.map(({ layer, outputShape, parameters }) => ({ layer, outputShape, parameters }));
  const sizes = {
    input: Math.abs((product(inputSize) * batchSize * BYTES_PER_VALUE) / MB),
    output: Math.abs((2 * rows.reduce((sum, row) => sum + product(row.outputShape), 0) * BYTES_PER_VALUE) / MB),
    params: Math.abs((totalParameters * BYTES_PER_VALUE) / MB),
  };
  return {
    rows: table,
    totalParameters,
    trainableParameters,
    toString: () => formatTable(table, totalParameters, trainableParameters, sizes),
  };
}

function formatTable(
  rows: SummaryRow[],
  total: number,
  trainable: number,
  sizes: { input: number; output: number; params: number },
): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const line = (a: string, b: string, c: string) => `${a.padStart(20)}  ${b.padStart(25)} ${c.padStart(15)}`;
  const rule = (char: string) => char.repeat(64);
  return [
    rule('-'),
    line('Layer (type)', 'Output Shape', 'Param #'),
    rule('='),
    ...rows.map((r) => line(r.layer, `[${r.outputShape.join(', ')}]`, count(r.parameters))),
    rule('='),
    `Total params: ${count(total)}`,
    `Trainable params: ${count(trainable)}`,
    `Non-trainable params: ${count(total - trainable)}`,
    rule('-'),
    `Input size (MB): ${fixed2(sizes.input)}`,
    `Forward/backward pass size (MB): ${fixed2(sizes.output)}`,
    `Params size (MB): ${fixed2(sizes.params)}`,
    `Estimated Total Size (MB): ${fixed2(sizes.params + sizes.output + sizes.input)}`,
    rule('-'),
    '',
  ].join('\n');
}

/**
 * Python's `'%0.2f' % x` for x ≥ 0: the double's exact value rounded to two decimals, an exact tie going to the even
 * digit where JS's toFixed goes up. A double is exactly halfway between two hundredths only when it is an odd
 * number of eighths (0.125, 0.375, …), as 0.005·(2k + 1) is a binary fraction only then.
 */
function fixed2(x: number): string {
  const eighths = x * 8;
  if (!Number.isInteger(eighths) || eighths % 2 === 0) return x.toFixed(2);
  const below = Math.floor(x * 100);
  const hundredths = below % 2 === 0 ? below : below + 1;
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

function countElements(tensors: readonly tf.Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.size, 0);
}

function product(shape: readonly number[]): number {
  return shape.reduce((p, size) => p * size, 1);
}
