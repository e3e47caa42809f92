/**
 * Resizing a single-channel float plane (row-major, `width × height`), one axis at a time: an axis that shrinks
 * is area-averaged (each output pixel the mean of the input it covers, fractional pixels weighted by coverage), an
 * axis that grows is interpolated linearly between pixel centres (half-pixel alignment, edges clamped). That is
 * OpenCV's INTER_AREA, and PIL's box/bilinear filters: no aliasing when shrinking, no blocks when enlarging.
 */
export function resizePlane(
  plane: Float32Array,
  [width, height]: readonly [number, number],
  [outWidth, outHeight]: readonly [number, number],
): Float32Array {
  const columns = axisWeights(width, outWidth);
  const rows = axisWeights(height, outHeight);
  const wide = new Float32Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let t = columns.starts[x], from = y * width + columns.firsts[x]; t < columns.starts[x + 1]; t++, from++) {
        sum += columns.weights[t] * plane[from];
      }
      wide[y * outWidth + x] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let t = rows.starts[y], from = rows.firsts[y]; t < rows.starts[y + 1]; t++, from++) {
      const weight = rows.weights[t];
      for (let x = 0; x < outWidth; x++) out[y * outWidth + x] += weight * wide[from * outWidth + x];
    }
  }
  return out;
}

/**
 * For each output index o, the run of input indices it reads, from `firsts[o]` on, and their weights (summing to 1),
 * `weights[starts[o]]` to `weights[starts[o + 1] − 1]`. Flat arrays rather than a list of pairs per output: the
 * first picture a Worker sees runs this before the JIT has compiled it, where an iterator and a destructuring per
 * tap cost more than the arithmetic.
 */
function axisWeights(size: number, outSize: number): { firsts: Int32Array; starts: Int32Array; weights: Float64Array } {
  const scale = size / outSize;
  const firsts = new Int32Array(outSize);
  const starts = new Int32Array(outSize + 1);
  const weights: number[] = [];
  for (let o = 0; o < outSize; o++) {
    if (outSize <= size) {
      // Area: the output pixel covers input [o·scale, (o+1)·scale).
      const [start, end] = [o * scale, (o + 1) * scale];
      firsts[o] = Math.floor(start);
      for (let i = Math.floor(start); i < Math.min(size, Math.ceil(end)); i++) {
        weights.push((Math.min(end, i + 1) - Math.max(start, i)) / scale);
      }
    } else {
      const centre = Math.min(size - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const low = Math.floor(centre);
      const high = Math.min(size - 1, low + 1);
      firsts[o] = low;
      if (low === high) weights.push(1);
      else weights.push(high - centre, centre - low);
    }
    starts[o + 1] = weights.length;
  }
  return { firsts, starts, weights: Float64Array.from(weights) };
}
