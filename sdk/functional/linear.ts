import * as tf from '@tensorflow/tfjs-core';
import { differentiable, kernel, kernels } from './differentiable';
import { POINTWISE } from './window';

const { add, mul, matMul, transpose, reshape } = kernels;

/** An activation applied inside the linear op, where it costs no tape node or saved tensor of its own. */
export type LinearActivation = 'linear' | 'relu';

export interface LinearOptions {
  /** Applied to x·Wᵀ + b; nn.Sequential passes 'relu' for a Linear followed by a ReLU. Default 'linear'. */
  activation?: LinearActivation;
  /** Wᵀ (`[in, out]`, or `[1, 1, in, out]` as the kernel takes it: transposedForProduct), when the caller keeps one
   *  (nn.Linear does in eval mode): the op then transposes nothing. */
  transposedWeight?: tf.Tensor;
}

/**
 * y = activation(x·Wᵀ + b), as torch.nn.functional.linear (then relu). Input `[*, in]`, weight `[out, in]`, bias
 * `[out]`, output `[*, out]`.
 *
 * Backward, with dz = dy (or dy where y > 0 for ReLU):
 *   dx = dz·W,  dW = dzᵀ·x,  db = Σ_rows dz.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, options: LinearOptions = {}): tf.Tensor {
  const activation = options.activation ?? 'linear';
  const op = options.transposedWeight ? linearOp(activation, options.transposedWeight) : opsWithoutTransposed[activation];
  return bias ? op(x, weight, bias) : op(x, weight);
}

/*
 * Why the products are arranged as they are: tfjs-backend-wasm 4.22 multiplies with XNNPACK only when neither
 * operand is transposed; matMul(x, W, false, true) — any transposed product — falls back to a naive loop 10–20×
 * slower. XNNPACK also re-packs its right operand whenever that tensor is new, at about 2 ns per element, which for
 * a weight that changes every training step can cost more than the product itself. So:
 *  - with Wᵀ at hand (nn.Linear keeps one in eval mode, which XNNPACK then keeps packed), or a weight no larger than
 *    the batch's activations (cheaper to transpose than they are; measured, that is about where the two ways cross),
 *    one kernel computes x·Wᵀ + b (the activation is a kernel of its own): a 1×1 convolution over the rows as one
 *    line of pixels, Wᵀ its filter. XNNPACK runs it with the same matrix-product code and order of additions as
 *    _FusedMatMul (equal to the bit), and tfjs's JavaScript around it costs 1.4 µs a call less (no shape arrays to
 *    marshal): a one-row prediction of the course MLP makes three such calls in ~18 µs;
 *  - otherwise the weight is the left operand, which XNNPACK reads in place: yᵀ = W·xᵀ, transposing only the
 *    batch's activations; and dx = (Wᵀ·dzᵀ)ᵀ, transposing W, which costs less than XNNPACK re-packing it for
 *    dz·W (the course's 256×128 weight at batch 8: 122 µs for dz·W, packing included; 27 + 22 µs this way).
 * Either way each output is one sequential float32 sum over the inputs (XNNPACK's) plus the bias.
 */
function linearOp(activation: LinearActivation, transposedWeight: tf.Tensor | undefined) {
  return differentiable(([x, weight, bias], save) => {
    const [outFeatures, inFeatures] = weight.shape;
    const batch = x.size / inFeatures;
    const outShape = [...x.shape.slice(0, -1), outFeatures];
    let y: tf.Tensor;
    if (batch === 0) {
      y = tf.zeros(outShape); // XNNPACK refuses empty operands (and says so on the console)
    } else if (transposedWeight !== undefined || !linearWeightLeads(weight, batch)) {
      // An input already a line of pixels (nn.Sequential hands its Linear layers the batch that way in eval mode) and
      // a kept Wᵀ already a filter go in without a reshape.
      const pixels = isLineOfPixels(x) ? x : reshape(x, [1, 1, batch, inFeatures]);
      const kept = transposedWeight ?? transpose(weight);
      const filter = kept.rank === 4 ? kept : reshape(kept, [1, 1, inFeatures, outFeatures]);
      y = kernel('FusedConv2D', bias ? { x: pixels, filter, bias } : { x: pixels, filter }, POINTWISE);
    } else {
      y = transpose(matMul(weight, transpose(asRows(x))));
      if (bias) y = add(y, bias);
    }
    if (!tf.util.arraysEqual(y.shape, outShape)) y = reshape(y, outShape);
    // A kernel of its own, not the product's fused activation: XNNPACK's clamp turns NaN into 0, where ReLU (here
    // and in PyTorch) keeps it.
    if (activation === 'relu') y = kernel('Relu', { x: y });
    // What the backward reads goes through save(), which copies it and records the copy on the tape; a variable
    // is read directly instead, as it outlives the step and keeps its value until the optimiser runs.
    const variable = weight instanceof tf.Variable;
    save([x, ...(activation === 'relu' ? [y] : []), ...(variable ? [] : [weight])]);
    return {
      value: y,
      // A method rather than an arrow property: builds that keep function names (tsx, wrangler) rename every arrow
      // stored in a property each time one is made (an Object.defineProperty), a measurable part of a one-row
      // prediction.
      gradFunc(dy: tf.Tensor, [savedX, ...rest]: tf.Tensor[]) {
        const savedY = activation === 'relu' ? rest.shift() : undefined;
        const savedWeight = rest.shift() ?? weight;
        if (batch === 0) return [tf.zerosLike(x), tf.zerosLike(weight), ...(bias ? [tf.zerosLike(bias)] : [])];
        let dz: tf.Tensor = asRows(dy);
        if (savedY) dz = mul(dz, kernel('Step', { x: asRows(savedY) }, { alpha: 0 }));
        // dzᵀ is made explicitly (it is only a batch wide) so that XNNPACK computes dW = dzᵀ·x; summing its rows
        // for db then reduces along the contiguous axis, where a column sum of dz would first transpose. dx is
        // left to the backward pass to ask for: the batch a first layer reads needs none.
        const dzT = transpose(dz);
        const dWeight = matMul(dzT, asRows(savedX));
        const dx = () => {
          const product = inputGradient(dz, dzT, savedWeight);
          return x.rank === 2 ? product : reshape(product, x.shape);
        };
        return bias ? [dx, dWeight, kernel('Sum', { x: dzT }, { axis: [1], keepDims: false })] : [dx, dWeight];
      },
    };
  });
}

// Made once: a training step calls the op for every layer, and each op made anew would also make its custom gradient
// anew. (A kept Wᵀ is only passed in eval mode, where no tape records and the op runs its forward alone.)
const opsWithoutTransposed = { linear: linearOp('linear', undefined), relu: linearOp('relu', undefined) };

/** dx = dz·W, by the arrangement the comment above linearOp explains. */
function inputGradient(dz: tf.Tensor, dzT: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  return linearWeightLeads(weight, dz.shape[0]) ? transpose(matMul(largeTranspose(weight), dzT)) : matMul(dz, weight);
}

/**
 * The transpose of a large matrix. tfjs-wasm's 2-D transpose kernel writes its output with a stride of a row; its
 * 3-D kernel, given the matrix as [rows, columns/4, 4], writes in order and reads with the stride instead, which
 * measured two to three times as fast (256×128: 27 against 50–80 µs; 512×256: 109 against 362 µs).
 */
export function largeTranspose(x: tf.Tensor): tf.Tensor {
  const [rows, columns] = x.shape;
  if (columns % 4 !== 0) return transpose(x);
  const view = reshape(x, [rows, columns / 4, 4]);
  return reshape(kernel('Transpose', { x: view }, { perm: [1, 2, 0] }), [columns, rows]);
}

/**
 * Whether linear() makes the weight the left operand of its product (yᵀ = W·xᵀ) for a batch of `batch` rows: when
 * the weight has more elements than the batch's inputs and outputs together (see the comment above linearOp).
 */
export function linearWeightLeads(weight: tf.Tensor, batch: number): boolean {
  const [outFeatures, inFeatures] = weight.shape;
  return inFeatures * outFeatures > batch * (inFeatures + outFeatures);
}

/** Wᵀ as the filter of linear()'s product, `[1, 1, in, out]`, for a caller to keep (see LinearOptions). */
export function transposedForProduct(weight: tf.Tensor): tf.Tensor4D {
  const [outFeatures, inFeatures] = weight.shape;
  return tf.tidy(() => reshape(transpose(weight), [1, 1, inFeatures, outFeatures]) as tf.Tensor4D);
}

/** Whether `t` is `[1, 1, rows, features]`: rows as a line of pixels, the layout of linear()'s product kernel. */
function isLineOfPixels(t: tf.Tensor): boolean {
  return t.rank === 4 && t.shape[0] === 1 && t.shape[1] === 1;
}

function asRows(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 2 ? t : reshape(t, [-1, t.shape[t.rank - 1]])) as tf.Tensor2D;
}
