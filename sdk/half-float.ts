// The 16-bit float formats that weight files hold (safetensors F16/BF16, PyTorch's HalfStorage/BFloat16Storage),
// widened to numbers: tfjs has no 16-bit floats.

/** IEEE 754 binary16 → number: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const widening = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32's bit pattern. */
export function bfloat16ToFloat(bits: number): number {
  widening.setUint32(0, bits << 16);
  return widening.getFloat32(0);
}
