import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable } from './differentiable';
import { defaultGenerator, type Generator } from '../random';

/**
 * Inverted dropout, as torch.nn.functional.dropout: in training each element is zeroed with probability `p` and
 * the survivors are scaled by 1/(1−p), so the expected value is unchanged and evaluation needs no rescaling. Out of
 * training the input is returned as it is. Any shape. Backward: dx = dy ⊙ mask.
 */
export function dropout(x: tf.Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator()): tf.Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const values = new Float32Array(x.size);
  for (let i = 0; i < values.length; i++) values[i] = generator.next() < p ? 0 : scale;
  const mask = tf.tensor(values, x.shape);
  // The mask goes to the backward pass through save(), which keeps its own reference, so it can be freed here.
  const y = differentiable(([input], save) => {
    save([mask]);
    return { value: tf.mul(input, mask), gradFunc: (dy, [savedMask]) => tf.mul(dy, savedMask) };
  })(x);
  mask.dispose();
  return y;
}
