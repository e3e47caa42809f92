// The 16-bit float formats that weight files hold (safetensors F16/BF16, PyTorch's HalfStorage/BFloat16Storage),
// widened to numbers: tfjs has no 16-bit floats.

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/**
 * IEEE 754 binary16 → number: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. Every half is a float32
 * too, so the bits are moved into a float32's places (exponent rebiased to 127) rather than computed with powers:
 * a bundle's first load widens every weight, and this is most of its time.
 */
export function halfToFloat(bits: number): number {
  const sign = (bits & 0x8000) << 16;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return (sign ? -fraction : fraction) * 2 ** -24; // zero and subnormals: no float32 exponent fits
  float32Bits[0] = sign | (exponent === 0x1f ? 0x7f800000 : (exponent + 112) << 23) | (fraction << 13);
  return float32[0];
}

const widening = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32's bit pattern. */
export function bfloat16ToFloat(bits: number): number {
  widening.setUint32(0, bits << 16);
  return widening.getFloat32(0);
}

const narrowing = new DataView(new ArrayBuffer(4));

/**
 * number → IEEE 754 binary16 bits, rounding to the nearest representable value with ties to even (as PyTorch's
 * `tensor.half()` and numpy's astype(float16)): beyond ±65504 rounds to ±Infinity, below 2^-25 in magnitude to ±0,
 * NaN stays NaN. The value is read as a float32 first, which is exact for tensor values.
 */
export function floatToHalf(value: number): number {
  narrowing.setFloat32(0, value);
  const bits = narrowing.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const fraction = bits & 0x7fffff;
  if (exponent === 0xff - 127 + 15) return sign | 0x7c00 | (fraction ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent < -10) return sign;
  // Subnormal halves keep the implicit leading 1 among their fraction bits, so more low bits are dropped.
  const [kept, dropped] = exponent > 0 ? [fraction, 13] : [fraction | 0x800000, 14 - exponent];
  let half = (exponent > 0 ? exponent << 10 : 0) | (kept >>> dropped);
  const rest = kept & ((1 << dropped) - 1);
  const midway = 1 << (dropped - 1);
  // A carry out of the fraction correctly bumps the exponent (and the largest finite value up to Infinity).
  if (rest > midway || (rest === midway && half & 1)) half++;
  return sign | half;
}
