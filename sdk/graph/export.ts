import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module';
import type { Graph } from './format';
import { trace } from './trace';
import { verifyTrace } from './verify';

/**
 * The graph bundle.save writes for `model`: its forward traced on `example` in eval mode (see trace), then checked
 * against the model (see verifyTrace). The model's mode is restored afterwards. Throws TraceError naming the op and
 * the module that cannot be exported.
 */
export function exportGraph(model: Module, example: tf.Tensor): Graph {
  const wasTraining = model.training;
  model.eval();
  try {
    const traced = trace(model, example);
    try {
      verifyTrace(model, example, traced);
      return traced.graph;
    } finally {
      if (traced.output !== example) traced.output.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
}
