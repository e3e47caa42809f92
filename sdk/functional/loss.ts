import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable, kernel, kernels } from './differentiable';

const { sub, mul, div } = kernels;

/**
 * Mean cross-entropy of raw scores against class indices, as torch.nn.functional.cross_entropy with reduction
 * 'mean': loss = mean over n of (logsumexp(logits[n]) − logits[n, targets[n]]).
 *
 * Shapes: logits `[N, C]`, targets `[N]` of integer class indices in [0, C). Computed through log-softmax, which
 * subtracts each row's maximum first, so scores in the thousands neither overflow nor lose the gradient.
 * Backward: d logits = dy · (softmax(logits) − onehot(targets)) / N.
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor | ArrayLike<number>): tf.Scalar {
  if (logits.rank !== 2) throw new ArgumentError(`crossEntropy expects logits of shape [N, C], got [${logits.shape}]`);
  const [rows, classes] = logits.shape;
  const count = targets instanceof tf.Tensor ? (targets.rank === 1 ? targets.shape[0] : NaN) : targets.length;
  if (count !== rows) {
    const shape = targets instanceof tf.Tensor ? targets.shape : [targets.length];
    throw new ArgumentError(`crossEntropy expects ${rows} targets for logits [${logits.shape}], got shape [${shape}]`);
  }
  const oneHot =
    targets instanceof tf.Tensor
      ? tf.tidy(() => tf.cast(tf.oneHot(tf.cast(targets, 'int32'), classes), 'float32'))
      : hostOneHot(targets, classes);
  const loss = differentiable(([scores], save) => {
    const logProbabilities = logSoftmax(scores);
    // softmax − onehot is made here so that the backward keeps one tensor (each kept tensor costs a copy and a
    // tape node); the forward of a training step is always followed by its backward.
    save([sub(kernel('Exp', { x: logProbabilities }), oneHot)]);
    return {
      // −Σ/N written as Σ/(−N): the same value (division rounds symmetrically in sign), one kernel fewer.
      value: div(sum(mul(logProbabilities, oneHot)), tf.scalar(-rows)),
      gradFunc: (dy, [error]) => mul(error, div(dy, tf.scalar(rows))),
    };
  })(logits) as tf.Scalar;
  oneHot.dispose();
  return loss;
}

/** x − max − log Σ exp(x − max) along the last axis: tf.logSoftmax's kernels, without the gradient it wraps them in
 *  (this op has its own, and a nested one costs more than the kernels here). */
function logSoftmax(x: tf.Tensor): tf.Tensor {
  const last = [x.rank - 1];
  const shifted = sub(x, kernel('Max', { x }, { reductionIndices: last, keepDims: true }));
  return sub(shifted, kernel('Log', { x: sum(kernel('Exp', { x: shifted }), last, true) }));
}

/** The sum over `axes` (default all). */
function sum(x: tf.Tensor, axes = [...Array(x.rank).keys()], keepDims = false): tf.Tensor {
  return kernel('Sum', { x }, { axis: axes, keepDims });
}

/** Labels known on the host become their one-hot rows there, uploaded at once (no index tensor, cast or oneHot
 *  kernel). Like tf.oneHot, an index outside [0, C) gives a row of zeros; values are truncated to integers. */
function hostOneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  const rows = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] | 0;
    if (label >= 0 && label < classes) rows[i * classes + label] = 1;
  }
  return tf.tensor2d(rows, [labels.length, classes]);
}
