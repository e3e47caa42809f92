import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { differentiable } from './differentiable';

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
  const labels = targets instanceof tf.Tensor ? targets : tf.tensor1d(Array.from(targets), 'int32');
  if (labels.rank !== 1 || labels.shape[0] !== rows) {
    throw new ArgumentError(`crossEntropy expects ${rows} targets for logits [${logits.shape}], got shape [${labels.shape}]`);
  }
  const oneHot = tf.tidy(() => tf.oneHot(tf.cast(labels, 'int32'), classes));
  if (labels !== targets) labels.dispose();
  const loss = differentiable(([scores], save) => {
    const logProbabilities = tf.logSoftmax(scores);
    save([logProbabilities, oneHot]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(logProbabilities, oneHot))), rows),
      gradFunc: (dy, [savedLogProbabilities, savedOneHot]) =>
        tf.mul(tf.sub(tf.exp(savedLogProbabilities), savedOneHot), tf.div(dy, rows)),
    };
  })(logits) as tf.Scalar;
  oneHot.dispose();
  return loss;
}
