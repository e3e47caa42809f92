import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { linear, transposedForProduct, type LinearActivation } from '../../../sdk/functional/linear';
import { Generator } from '../../../sdk/random';

beforeAll(ready);

/** y = act(x·Wᵀ + b) and its gradients for upstream dy, in float64 on the host. */
function reference(x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array, rows: number, inF: number, outF: number, act: LinearActivation) {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let sum = b[o];
      for (let i = 0; i < inF; i++) sum += x[r * inF + i] * w[o * inF + i];
      y[r * outF + o] = act === 'relu' ? Math.max(sum, 0) : sum;
    }
  }
  const dz = dy.map((g, k) => (act === 'relu' && !(y[k] > 0) ? 0 : g));
  const dx = new Float64Array(rows * inF);
  const dw = new Float64Array(outF * inF);
  const db = new Float64Array(outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      const g = dz[r * outF + o];
      db[o] += g;
      for (let i = 0; i < inF; i++) {
        dx[r * inF + i] += g * w[o * inF + i];
        dw[o * inF + i] += g * x[r * inF + i];
      }
    }
  }
  return { y, dx, dw, db };
}

function expectNear(actual: tf.Tensor, expected: Float64Array, tolerance = 1e-4): void {
  const values = actual.dataSync();
  const worst = Array.from(expected).findIndex((e, i) => !(Math.abs(values[i] - e) <= tolerance * (1 + Math.abs(e))));
  expect(worst, `element ${worst}: got ${values[worst]}, expected ${expected[worst]}`).toBe(-1);
}

// The op multiplies a weight no larger than the batch's activations in one fused kernel (by Wᵀ) and a larger one as
// the left operand (W·xᵀ); both must be torch.nn.functional.linear (then relu), forward and backward.
describe.each([
  { path: 'fused kernel (small weight)', rows: 8, inF: 20, outF: 4 },
  { path: 'weight as left operand (large weight)', rows: 8, inF: 128, outF: 256 },
  { path: 'one row, large weight', rows: 1, inF: 64, outF: 32 },
])('F.linear through the $path', ({ rows, inF, outF }) => {
  const random = new Generator(7);
  const x = random.uniform(rows * inF, -2, 2);
  const w = random.uniform(outF * inF, -0.5, 0.5);
  const b = random.uniform(outF, -0.5, 0.5);
  const dy = random.uniform(rows * outF, -1, 1);

  it.each<LinearActivation>(['linear', 'relu'])('computes %s(x·Wᵀ + b) and its gradients for x, W and b', (activation) => {
    const expected = reference(x, w, b, dy, rows, inF, outF, activation);
    const inputs = [tf.tensor2d(x, [rows, inF]), tf.tensor2d(w, [outF, inF]), tf.tensor1d(b)];
    const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => linear(xi, wi, bi, { activation });
    expectNear(f(inputs[0], inputs[1], inputs[2]), expected.y);
    const { value, grads } = tf.valueAndGrads(f)(inputs, tf.tensor2d(dy, [rows, outF]));
    expectNear(value, expected.y);
    [expected.dx, expected.dw, expected.db].forEach((e, i) => expectNear(grads[i], e));
  });

  it('gives the same result with a caller-kept Wᵀ, and keeps leading dimensions', () => {
    const weight = tf.tensor2d(w, [outF, inF]);
    const bias = tf.tensor1d(b);
    const plain = linear(tf.tensor2d(x, [rows, inF]), weight, bias, { activation: 'relu' });
    const kept = linear(tf.tensor3d(x, [1, rows, inF]), weight, bias, { activation: 'relu', transposedWeight: tf.transpose(weight) });
    expect(kept.shape).toEqual([1, rows, outF]);
    expectNear(kept, new Float64Array(plain.dataSync()), 1e-5);
  });
});

describe('F.linear with a kept Wᵀ', () => {
  // The product is a 1×1 convolution over the rows; XNNPACK computes it with the code and order of additions of its
  // matrix product (tfjs's _FusedMatMul, which the op used before), so the two agree to the bit. NaN and ±∞ in the
  // input must come through as the product gives them. (tfjs's cpu backend, the fallback, adds the bias after the
  // sum in one kernel and before it in the other: there the two differ in the last bits, as any two float32 sums.)
  it.skipIf(process.env.EDGEML_BACKEND === 'cpu').each([
    [1, 20, 128],
    [5, 7, 9],
    [64, 1568, 64],
    [400, 128, 256],
  ])('gives _FusedMatMul\'s float32 values to the bit: %i rows, %i → %i', (rows, inF, outF) => {
    const random = new Generator(rows * 7 + inF);
    const xs = random.uniform(rows * inF, -2, 2);
    xs[0] = NaN;
    xs[inF + 1] = Infinity;
    const x = tf.tensor2d(xs, [rows, inF]);
    const weight = tf.tensor2d(random.uniform(outF * inF, -0.5, 0.5), [outF, inF]);
    const bias = tf.tensor1d(random.uniform(outF, -0.5, 0.5));
    const kept = transposedForProduct(weight);
    const ours = linear(x, weight, bias, { transposedWeight: kept });
    const attrs = { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 };
    const a = tf.reshape(x, [1, rows, inF]);
    const b = tf.reshape(tf.transpose(weight), [1, inF, outF]);
    const theirs = tf.engine().runKernel('_FusedMatMul', { a, b, bias }, attrs) as tf.Tensor;
    expect(ours.shape).toEqual([rows, outF]);
    const [bits, expected] = [ours, theirs].map((t) => new Uint32Array(t.dataSync().buffer));
    const first = bits.findIndex((word, i) => word !== expected[i]);
    expect(first, `element ${first}: ${ours.dataSync()[first]} against ${theirs.dataSync()[first]}`).toBe(-1);
    tf.dispose([x, weight, bias, kept, ours, a, b, theirs]);
  });
});

describe('F.linear outside a gradient tape', () => {
  it('returns what it returns while a tape records, and leaves no tensors behind', () => {
    const x = tf.randomNormal([5, 30]);
    const w = tf.randomNormal([40, 30]);
    const b = tf.randomNormal([40]);
    const taped = tf.valueAndGrad((xi: tf.Tensor) => linear(xi, w, b, { activation: 'relu' }))(x).value;
    const before = tf.memory().numTensors;
    const plain = linear(x, w, b, { activation: 'relu' });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(plain.dataSync())).toEqual(Array.from(taped.dataSync()));
  });
});

describe('F.linear on an empty batch', () => {
  it('gives [0, out] and zero gradients for the weight and bias', () => {
    const w = tf.randomNormal([256, 128]);
    const b = tf.randomNormal([256]);
    const { value, grads } = tf.valueAndGrads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => linear(xi, wi, bi, { activation: 'relu' }))(
      [tf.zeros([0, 128]), w, b],
      tf.zeros([0, 256]),
    );
    expect(value.shape).toEqual([0, 256]);
    expect(grads.map((g) => g.shape)).toEqual([[0, 128], [256, 128], [256]]);
    expect(Math.max(...grads[1].dataSync(), ...grads[2].dataSync())).toBe(0);
  });
});

describe('F.linear in a backward pass that needs no input gradient', () => {
  it('multiplies only for the weight: a first layer does not compute the gradient of its batch', async () => {
    const x = tf.randomNormal([8, 128]);
    const w = tf.randomNormal([256, 128]);
    const dy = tf.randomNormal([8, 256]);
    const products = async (f: () => unknown) =>
      (await tf.profile(() => void f())).kernels.filter((k) => k.name === 'BatchMatMul').length;
    // The forward's product and dW; dx would be a third.
    expect(await products(() => tf.grad((wi: tf.Tensor) => linear(x, wi))(w, dy))).toBe(2);
    expect(await products(() => tf.grads((xi: tf.Tensor, wi: tf.Tensor) => linear(xi, wi))([x, w], dy))).toBe(3);
  });
});
