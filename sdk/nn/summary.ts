import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module';
import { Sequential } from './sequential';

export interface SummaryRow {
  /** The layer's type and position, as torchsummary writes it: `Linear-1`. */
  layer: string;
  /** With -1 for the batch dimension. */
  outputShape: number[];
  parameters: number;
}

export interface Summary {
  rows: SummaryRow[];
  totalParameters: number;
  trainableParameters: number;
  /** The table, laid out like torchsummary's. */
  toString(): string;
}

/**
 * Runs a zero input of `inputShape` (batch dimension first) through the model in eval mode and lists each layer
 * with its output shape and parameter count, like torchsummary.summary. Sequential containers are unrolled.
 */
export function summary(model: Module, inputShape: number[]): Summary {
  const rows: SummaryRow[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    tf.tidy(() => {
      const visit = (module: Module, x: tf.Tensor): tf.Tensor => {
        if (module instanceof Sequential) return module.layers.reduce((h, layer) => visit(layer, h), x);
        const y = module.forward(x);
        rows.push({
          layer: `${module.spec().type}-${rows.length + 1}`,
          outputShape: [-1, ...y.shape.slice(1)],
          parameters: countElements(module.parameters()),
        });
        return y;
      };
      visit(model, tf.zeros(inputShape));
    });
  } finally {
    model.train(wasTraining);
  }
  const totalParameters = countElements(model.parameters());
  return { rows, totalParameters, trainableParameters: totalParameters, toString: () => formatTable(rows, totalParameters) };
}

function countElements(tensors: readonly tf.Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.size, 0);
}

function formatTable(rows: SummaryRow[], total: number): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const line = (a: string, b: string, c: string) => `${a.padStart(20)}  ${b.padStart(24)}  ${c.padStart(14)}`;
  const rule = (char: string) => char.repeat(64);
  return [
    rule('-'),
    line('Layer (type)', 'Output Shape', 'Param #'),
    rule('='),
    ...rows.map((r) => line(r.layer, `[${r.outputShape.join(', ')}]`, count(r.parameters))),
    rule('='),
    `Total params: ${count(total)}`,
    `Trainable params: ${count(total)}`,
    'Non-trainable params: 0',
    rule('-'),
  ].join('\n');
}
