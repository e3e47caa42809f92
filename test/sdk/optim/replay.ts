import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '../../../sdk/nn/parameter';
import type { Optimizer } from '../../../sdk/optim/optimizer';
import { expectClose, fromFixture, type FixtureTensor } from '../../helpers/fixtures';

export interface Trajectory {
  name: string;
  config: Record<string, any>;
  params: FixtureTensor[];
  /** Each step's gradients (null: the parameter has no grad that step) and the parameters after it. */
  steps: { grads: (FixtureTensor | null)[]; params: FixtureTensor[] }[];
}

export function fixtureParams(values: FixtureTensor[]): Parameter[] {
  return values.map((p) => Object.assign(tf.variable(fromFixture(p)), { grad: null }));
}

/** Sets each parameter's grad as PyTorch's script did (replacing the last), steps, and compares with PyTorch. */
export function replay(optimizer: Optimizer, params: Parameter[], steps: Trajectory['steps']): void {
  for (const step of steps) {
    params.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = step.grads[i] ? fromFixture(step.grads[i]!) : null;
    });
    optimizer.step();
    params.forEach((p, i) => expectClose(p, step.params[i], { atol: 1e-6 }));
  }
}
