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
      for (const [from, weight] of columns[x]) sum += weight * plane[y * width + from];
      wide[y * outWidth + x] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (const [from, weight] of rows[y]) {
      for (let x = 0; x < outWidth; x++) out[y * outWidth + x] += weight * wide[from * outWidth + x];
    }
  }
  return out;
}

/** For each output index, the input indices it reads and their weights (summing to 1). */
function axisWeights(size: number, outSize: number): [number, number][][] {
  const scale = size / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    if (outSize <= size) {
      // Area: the output pixel covers input [o·scale, (o+1)·scale).
      const [start, end] = [o * scale, (o + 1) * scale];
      const taps: [number, number][] = [];
      for (let i = Math.floor(start); i < Math.min(size, Math.ceil(end)); i++) {
        taps.push([i, (Math.min(end, i + 1) - Math.max(start, i)) / scale]);
      }
      return taps;
    }
    const centre = Math.min(size - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const low = Math.floor(centre);
    const high = Math.min(size - 1, low + 1);
    return low === high ? [[low, 1]] : [[low, high - centre], [high, centre - low]];
  });
}
