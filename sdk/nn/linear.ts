import * as tf from '@tensorflow/tfjs-core';
import { requirePositiveInteger } from '../checks';
import { ArgumentError } from '../errors';
import { linear, transposedForProduct, type LinearActivation } from '../functional/linear';
import { defaultGenerator, type Generator } from '../random';
import { defaultInit } from './init';
import { Module, type ModuleSpec } from './module';
import { Parameter } from './parameter';

export interface LinearOptions {
  bias?: boolean;
  /** Source of the initial weights; the global generator (see manualSeed) when omitted. */
  generator?: Generator;
}

/**
 * y = x·Wᵀ + b, as torch.nn.Linear.
 *
 * Shapes: input `[N, inFeatures]` (or `[inFeatures]`), weight `[outFeatures, inFeatures]`, bias `[outFeatures]`,
 * output `[N, outFeatures]`. Initialisation is PyTorch's default (kaiming_uniform with a = √5), which for both the
 * weight and the bias comes down to U(−1/√inFeatures, 1/√inFeatures). State-dict keys: `weight`, `bias`.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | undefined;
  /** Wᵀ in eval mode, as the product's kernel takes it: inference then multiplies by a weight XNNPACK has already
   *  packed, with no transposition or reshape. */
  private readonly keptTransposed = this.evalCopy(transposedForProduct);

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true, generator = defaultGenerator() }: LinearOptions = {},
  ) {
    super();
    requirePositiveInteger('inFeatures', inFeatures);
    requirePositiveInteger('outFeatures', outFeatures);
    this.weight = new Parameter(tf.tensor2d(defaultInit(generator, outFeatures * inFeatures, inFeatures), [outFeatures, inFeatures]));
    this.bias = bias ? new Parameter(tf.tensor1d(defaultInit(generator, outFeatures, inFeatures))) : undefined;
  }

  /** `activation` 'relu' is Linear then ReLU in one op (nn.Sequential passes it for that pair). */
  forward(x: tf.Tensor, activation: LinearActivation = 'linear'): tf.Tensor {
    const width = x.shape[x.rank - 1];
    if (width !== this.inFeatures) {
      throw new ArgumentError(`Linear expects ${this.inFeatures} input features, got ${width} (input shape [${x.shape}])`);
    }
    // A training step replaces the weight's data every time, so in training mode nothing is kept.
    const transposedWeight = this.training ? undefined : this.keptTransposed.of(this.weight);
    return linear(x, this.weight, this.bias, { activation, transposedWeight });
  }

  override spec(): ModuleSpec {
    return { type: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== undefined };
  }
}
