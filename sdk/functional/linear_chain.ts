import type * as tf from '@tensorflow/tfjs-core';
import { differentiable, kernel, kernels } from './differentiable';
import { largeTranspose } from './linear';

const { add, mul, matMul, transpose, reshape } = kernels;

/** One layer of a chain: its weight `[out, in]`, its bias `[out]` if any, and whether a ReLU follows it. */
export interface ChainLayer {
  weight: tf.Tensor;
  bias?: tf.Tensor;
  relu: boolean;
}

/**
 * A run of linear layers, each optionally followed by a ReLU, as one differentiable op: what nn.Sequential runs for
 * two or more Linear layers in a row while a gradient tape records, when each layer's weight is larger than the
 * batch's activations (linearWeightLeads). Input `[rows, in]`, output `[rows, out]` of the last layer.
 *
 * linear() multiplies such a layer as yᵀ = W·xᵀ, its weight the left operand, which XNNPACK reads in place (a right
 * operand that changes every step is packed anew), transposing the batch's activations in and out. Here they stay
 * transposed, `[features, rows]`, from one layer to the next, and only the chain's ends move them:
 *
 *   h₀ᵀ = xᵀ,  z_lᵀ = W_l·h_{l−1}ᵀ + b_l,  h_lᵀ = relu(z_lᵀ) or z_lᵀ,  y = (h_Lᵀ)ᵀ.
 *
 * Backward, from dz_Lᵀ = dyᵀ down to the first layer, with ⊙ step(h_lᵀ) where a ReLU follows:
 *
 *   dW_l = dz_lᵀ·h_{l−1},  db_l = Σ_columns dz_lᵀ,  dz_{l−1}ᵀ = W_lᵀ·dz_lᵀ,  dx = (W_1ᵀ·dz_1ᵀ)ᵀ.
 *
 * Every product, sum and step is the one linear() computes for the layer, on the same values, so the results are
 * the layers' one by one, to the bit; the chain saves the moves between layers, and records one tape node.
 */
export function linearChain(x: tf.Tensor, layers: readonly ChainLayer[]): tf.Tensor {
  const inputs = [x, ...layers.flatMap(({ weight, bias }) => (bias ? [weight, bias] : [weight]))];
  return chainOp(layers)(...inputs);
}

function chainOp(layers: readonly ChainLayer[]) {
  return differentiable(([x, ...parameters], save) => {
    const weights: tf.Tensor[] = [];
    const biases: (tf.Tensor | undefined)[] = [];
    for (let at = 0; at < parameters.length; ) {
      weights.push(parameters[at++]);
      biases.push(layers[weights.length - 1].bias ? parameters[at++] : undefined);
    }
    // h_lᵀ for l = 1 … L: each but the last is the next layer's input; the last is kept when a ReLU's step reads it.
    const activations: tf.Tensor[] = [];
    let h = transpose(x);
    layers.forEach(({ relu }, l) => {
      const bias = biases[l];
      let z = matMul(weights[l], h);
      if (bias) z = add(z, reshape(bias, [bias.size, 1]));
      h = relu ? kernel('Relu', { x: z }) : z;
      if (l < layers.length - 1 || relu) activations.push(h);
    });
    // The weights are read directly, not saved: they are nn.Linear's parameters, which keep their values until the
    // optimiser steps, after the backward pass.
    save([x, ...activations]);
    return {
      value: transpose(h),
      gradFunc: (dy: tf.Tensor, [savedX, ...saved]: tf.Tensor[]) => {
        const grads: tf.Tensor[] = [];
        let dz = transpose(dy);
        for (let l = layers.length - 1; l >= 0; l--) {
          if (layers[l].relu) dz = mul(dz, kernel('Step', { x: saved[l] }, { alpha: 0 }));
          const input = l === 0 ? savedX : transpose(saved[l - 1]);
          const layerGrads = [matMul(dz, input)];
          if (biases[l]) layerGrads.push(kernel('Sum', { x: dz }, { axis: [1], keepDims: false }));
          grads.unshift(...layerGrads);
          if (l > 0) dz = matMul(largeTranspose(weights[l]), dz);
        }
        const dzFirst = dz;
        // Left to the backward pass to ask for: the batch a first layer reads needs none.
        return [() => transpose(matMul(largeTranspose(weights[0]), dzFirst)), ...grads];
      },
    };
  });
}
