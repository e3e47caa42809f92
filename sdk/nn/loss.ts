import * as tf from '@tensorflow/tfjs-core';
import { checkLabelSmoothing } from '../functional/class_targets';
import {
  crossEntropy,
  nllLoss,
  type ClassIndices,
  type CrossEntropyOptions,
  type NLLLossOptions,
} from '../functional/loss';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
} from '../functional/loss_binary';
import { l1Loss, mseLoss } from '../functional/loss_regression';
import { checkReduction, type Reduction, type ReductionOptions } from '../functional/reduction';
import { ArgumentError } from '../errors';
import { Module } from './module';

/**
 * The loss modules, as torch.nn's: `const criterion = new nn.CrossEntropyLoss(); criterion.forward(logits, targets)`
 * is F.crossEntropy(logits, targets) with the options given to the constructor (see each F function for the formula,
 * shapes and gradients). Options are checked when the module is made. As in PyTorch, a loss has no parameters, and
 * its class weights (`weight`, `posWeight`) are buffers — `stateDict()` holds `weight` / `pos_weight` when given —
 * copied from what the constructor received (the caller keeps its own tensor); dispose() frees them.
 */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(op: string, { reduction = 'mean' }: ReductionOptions) {
    super();
    this.reduction = checkReduction(op, reduction);
  }

  /** The loss of `input` against `target`. (The target is optional only in the type: Module.forward declares one
   *  argument, and a method may not require more than the one it overrides.) */
  abstract override forward(input: tf.Tensor, target?: ClassIndices): tf.Tensor;

  /** `target`, or an ArgumentError saying forward takes two arguments. */
  protected required<T>(target: T | undefined): T {
    if (target !== undefined) return target;
    throw new ArgumentError(`${this.constructor.name}.forward(input, target) needs a target`);
  }

  /** The constant `name` as a buffer (a copy), or undefined when not given. */
  protected constantBuffer(name: string, value: tf.Tensor | ArrayLike<number> | undefined): tf.Variable | undefined {
    if (value === undefined) return undefined;
    return this.registerBuffer(name, value instanceof tf.Tensor ? tf.clone(value) : tf.tensor1d(Array.from(value)));
  }
}

/** torch.nn.CrossEntropyLoss({ weight, ignoreIndex = −100, reduction = 'mean', labelSmoothing = 0 }):
 *  F.crossEntropy. */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  private readonly classWeight: tf.Variable | undefined;

  constructor({ weight, ignoreIndex = -100, labelSmoothing = 0, ...options }: CrossEntropyOptions = {}) {
    super('CrossEntropyLoss', options);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = checkLabelSmoothing('CrossEntropyLoss', labelSmoothing);
    this.classWeight = this.constantBuffer('weight', weight);
  }

  forward(input: tf.Tensor, target?: ClassIndices): tf.Tensor {
    const { classWeight: weight, ignoreIndex, labelSmoothing, reduction } = this;
    return crossEntropy(input, this.required(target), { weight, ignoreIndex, labelSmoothing, reduction });
  }
}

/** torch.nn.NLLLoss({ weight, ignoreIndex = −100, reduction = 'mean' }) over log-probabilities: F.nllLoss. */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  private readonly classWeight: tf.Variable | undefined;

  constructor({ weight, ignoreIndex = -100, ...options }: NLLLossOptions = {}) {
    super('NLLLoss', options);
    this.ignoreIndex = ignoreIndex;
    this.classWeight = this.constantBuffer('weight', weight);
  }

  forward(input: tf.Tensor, target?: ClassIndices): tf.Tensor {
    const { classWeight: weight, ignoreIndex, reduction } = this;
    return nllLoss(input, this.required(target), { weight, ignoreIndex, reduction });
  }
}

/** torch.nn.MSELoss({ reduction = 'mean' }): F.mseLoss, (input − target)². */
export class MSELoss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super('MSELoss', options);
  }

  forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return mseLoss(input, this.required(target), { reduction: this.reduction });
  }
}

/** torch.nn.L1Loss({ reduction = 'mean' }): F.l1Loss, |input − target|. */
export class L1Loss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super('L1Loss', options);
  }

  forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return l1Loss(input, this.required(target), { reduction: this.reduction });
  }
}

/** torch.nn.BCELoss({ weight, reduction = 'mean' }) over probabilities: F.binaryCrossEntropy. */
export class BCELoss extends Loss {
  private readonly elementWeight: tf.Variable | undefined;

  constructor({ weight, ...options }: BCELossOptions = {}) {
    super('BCELoss', options);
    this.elementWeight = this.constantBuffer('weight', weight);
  }

  forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    return binaryCrossEntropy(input, this.required(target), { weight: this.elementWeight, reduction: this.reduction });
  }
}

/** torch.nn.BCEWithLogitsLoss({ weight, posWeight, reduction = 'mean' }) over raw scores:
 *  F.binaryCrossEntropyWithLogits. */
export class BCEWithLogitsLoss extends Loss {
  private readonly elementWeight: tf.Variable | undefined;
  private readonly posWeight: tf.Variable | undefined;

  constructor({ weight, posWeight, ...options }: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', options);
    this.elementWeight = this.constantBuffer('weight', weight);
    this.posWeight = this.constantBuffer('pos_weight', posWeight);
  }

  forward(input: tf.Tensor, target?: tf.Tensor): tf.Tensor {
    const { elementWeight: weight, posWeight, reduction } = this;
    return binaryCrossEntropyWithLogits(input, this.required(target), { weight, posWeight, reduction });
  }
}
