import * as tf from '@tensorflow/tfjs-core';
import { differentiable } from './differentiable';

/**
 * y = x·Wᵀ + b, as torch.nn.functional.linear. Input `[*, in]`, weight `[out, in]`, bias `[out]`, output `[*, out]`.
 *
 * Backward:
 *   dx = dy·W,  dW = dyᵀ·x,  db = Σ_rows dy.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  return bias ? linearOp(x, weight, bias) : linearOp(x, weight);
}

// Plain matMul + add rather than tf.fused.matMul: on tfjs-backend-wasm 4.22 the fused transposeB + bias path adds the
// wrong bias to every row after the first (test/sdk/functional/linear.test.ts catches it).
const linearOp = differentiable(([x, weight, bias], save) => {
  const rows = asRows(x);
  save([rows, weight]);
  const product = tf.matMul(rows, weight, false, true);
  return {
    value: tf.reshape(bias ? tf.add(product, bias) : product, [...x.shape.slice(0, -1), weight.shape[0]]),
    gradFunc: (dy: tf.Tensor, [savedRows, savedWeight]: tf.Tensor[]) => {
      const dyRows = asRows(dy);
      const dx = tf.reshape(tf.matMul(dyRows, savedWeight), x.shape);
      const dWeight = tf.matMul(dyRows, savedRows, true, false);
      return bias ? [dx, dWeight, tf.sum(dyRows, 0)] : [dx, dWeight];
    },
  };
});

function asRows(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [-1, t.shape[t.rank - 1]]) as tf.Tensor2D;
}
