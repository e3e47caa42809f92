import { ImageError } from '../errors';

/**
 * Undoes PNG's per-row filters in place (PNG spec §9): `rows` rows from `offset`, each a filter-type byte followed by
 * `rowBytes` bytes. Filters predict from the byte `bpp` to the left (bytes per complete pixel, at least 1) and the
 * one above, so the rows are undone top to bottom, each against the already-restored row before it.
 */
export function unfilterRows(data: Uint8Array, offset: number, rows: number, rowBytes: number, bpp: number): void {
  const stride = rowBytes + 1;
  for (let y = 0; y < rows; y++) {
    const start = offset + y * stride + 1;
    const above = start - stride; // only read when y > 0
    const type = data[start - 1];
    if (type === 0 || (type === 2 && y === 0)) continue; // None, or Up on the first row (the row above is zeros)
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? data[start + i - bpp] : 0;
      const b = y > 0 ? data[above + i] : 0;
      if (type === 1) data[start + i] += a;
      else if (type === 2) data[start + i] += b;
      else if (type === 3) data[start + i] += (a + b) >> 1;
      else if (type === 4) data[start + i] += paeth(a, b, i >= bpp && y > 0 ? data[above + i - bpp] : 0);
      else throw new ImageError('corrupt_image', `PNG row ${y} has filter type ${type} (0–4 are defined)`);
    }
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
