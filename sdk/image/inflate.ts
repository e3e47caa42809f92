import { Unzlib } from 'fflate';
import { ImageError } from '../errors';

/** Deflate's best case: one 258-byte match per 2 bits, about 1032 output bytes per input byte. */
const MAX_RATIO = 1032;
/** Smallest and largest compressed slice handed to the inflater at once (see sliceSize). */
const MIN_SLICE = 4 << 10;
const MAX_SLICE = 64 << 10;

/**
 * Inflates a zlib stream, split over `parts` (a PNG's IDAT chunks), into exactly `size` bytes, and throws an ImageError
 * ('corrupt_image') as soon as it yields more, or when it ends with fewer. A zlib bomb costs at most one slice's worth
 * of work and memory past `size` (≤ 1032 × sliceSize bytes), never the gigabytes the stream would inflate to.
 * `what` names the data in messages ("PNG image data").
 */
export function inflateExactly(parts: Uint8Array[], size: number, what: string): Uint8Array {
  const out = new Uint8Array(size);
  let filled = 0;
  // fflate inflates all the input of one push before it calls back, so the input is fed in slices: the slice bounds
  // how far past `size` the inflater can run before the excess is seen.
  const inflater = new Unzlib((chunk) => {
    if (filled + chunk.length > size) {
      throw new ImageError('corrupt_image', `${what} inflates to more than the ${size} bytes its header declares`, {
        declaredBytes: size,
      });
    }
    out.set(chunk, filled);
    filled += chunk.length;
  });
  const slice = sliceSize(size);
  const last = parts.length - 1;
  parts.forEach((part, index) => {
    for (let at = 0; at < part.length || (index === last && at === 0); at += slice) {
      const end = Math.min(at + slice, part.length);
      inflater.push(part.subarray(at, end), index === last && end === part.length);
    }
  });
  if (filled < size) {
    throw new ImageError('corrupt_image', `${what} ends after ${filled} of the ${size} bytes its header declares`, {
      declaredBytes: size,
      inflatedBytes: filled,
    });
  }
  return out;
}

/**
 * Small enough that one slice cannot inflate to much more than `size` (or 4 MiB, for small images); large enough
 * that big images are not inflated in thousands of pushes, since each push copies fflate's 32 KiB window (on
 * incompressible data, 4 KiB slices take about twice as long as 64 KiB ones).
 */
function sliceSize(size: number): number {
  return Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(size / MAX_RATIO)));
}
