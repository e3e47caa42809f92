// PNG's five row filters undone (sdk/image/png-filter.ts) against the spec's forward filters written out here, for
// every pixel size a PNG can have, the first row's missing neighbours, and a block of rows that starts inside a
// larger buffer (the later passes of an interlaced image).
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../../sdk/errors';
import { unfilterRows } from '../../../sdk/image/png-filter';
import { Generator } from '../../../sdk/random';

function paethPredictor(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** `raw` rows (each `rowBytes` bytes) filtered with `types[y]`, each behind its type byte, from `offset` on. */
function filtered(raw: Uint8Array, rowBytes: number, bpp: number, types: number[], offset: number): Uint8Array {
  const out = new Uint8Array(offset + types.length * (rowBytes + 1)).fill(0xa5, 0, offset);
  types.forEach((type, y) => {
    const at = (i: number, row: number) => (row >= 0 && i >= 0 ? raw[row * rowBytes + i] : 0);
    const start = offset + y * (rowBytes + 1);
    out[start] = type;
    for (let i = 0; i < rowBytes; i++) {
      const [x, a, b, c] = [at(i, y), at(i - bpp, y), at(i, y - 1), at(i - bpp, y - 1)];
      const prediction = [0, a, b, (a + b) >> 1, paethPredictor(a, b, c)][type];
      out[start + 1 + i] = (x - prediction) & 0xff;
    }
  });
  return out;
}

describe('unfilterRows', () => {
  const random = new Generator(5);
  const cases = [1, 2, 3, 4, 6, 8].flatMap((bpp) => [1, 2, 7, 13].map((pixels) => [bpp, pixels] as const));

  it.each(cases)('restores rows of %i-byte pixels, %i pixels wide, under every filter', (bpp, pixels) => {
    const rowBytes = bpp * pixels;
    // Each filter type on the first row (whose row above counts as zeros), then each type after several others.
    for (const [first, offset] of [0, 1, 2, 3, 4].flatMap((type) => [[type, 0], [type, 3]])) {
      const types = [first, 0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2, 4, 1, 3];
      const raw = Uint8Array.from({ length: types.length * rowBytes }, () => Math.floor(random.next() * 256));
      // Runs of equal bytes as well as noise: Paeth's ties and Average's halves come up there.
      raw.fill(200, rowBytes, 3 * rowBytes);
      const data = filtered(raw, rowBytes, bpp, types, offset);
      unfilterRows(data, offset, types.length, rowBytes, bpp);
      const restored = types.map((_, y) => data.subarray(offset + y * (rowBytes + 1) + 1, offset + (y + 1) * (rowBytes + 1)));
      expect(restored.flatMap((row) => Array.from(row))).toEqual(Array.from(raw));
      expect(Array.from(data.subarray(0, offset))).toEqual(new Array(offset).fill(0xa5));
    }
  });

  it('refuses a filter type above 4, naming the row', () => {
    const data = new Uint8Array([0, 1, 2, 5, 3, 4]);
    expect(() => unfilterRows(data, 0, 2, 2, 1)).toThrow(ImageError);
    expect(() => unfilterRows(data, 0, 2, 2, 1)).toThrow('PNG row 1 has filter type 5');
  });
});
