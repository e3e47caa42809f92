import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { defaultGenerator, type Generator } from '../random';

/**
 * Inverted dropout, as torch.nn.functional.dropout: in training each element is zeroed with probability `p` and
 * the survivors are scaled by 1/(1−p), so the expected value is unchanged and evaluation needs no rescaling. Out of
 * training the input is returned as it is. Any shape.
 */
export function dropout(x: tf.Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator()): tf.Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return tf.zerosLike(x);
  const scale = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.next() < p ? 0 : scale;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)));
}
