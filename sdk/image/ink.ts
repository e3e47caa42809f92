import { LUMA } from './layout';
import type { Image } from './image';

/**
 * The image as one grey plane (0–255 floats, row-major): luma of RGB (torchvision's weights), grey as it is. Where
 * there is alpha, each pixel is composited over a backdrop that contrasts with the opaque pixels (white behind dark
 * ones, black behind light ones), so a stroke drawn on a transparent canvas stays visible whatever its colour.
 */
export function greyPlane({ width, height, channels, data }: Image): Float32Array {
  const plane = width * height;
  const grey = new Float32Array(plane);
  // Converted by the runtime, not a loop: the first picture a Worker sees runs before the JIT has compiled anything.
  if (channels === 1) {
    grey.set(data);
    return grey;
  }
  const colour = channels >= 3;
  const alphaAt = channels === 2 || channels === 4 ? channels - 1 : -1;
  let covered = 0;
  let coverage = 0;
  for (let p = 0, at = 0; p < plane; p++, at += channels) {
    grey[p] = colour ? LUMA[0] * data[at] + LUMA[1] * data[at + 1] + LUMA[2] * data[at + 2] : data[at];
    if (alphaAt > 0) {
      const alpha = data[at + alphaAt] / 255;
      covered += alpha * grey[p];
      coverage += alpha;
    }
  }
  // Fully opaque (a canvas's usual PNG): compositing would change nothing.
  if (alphaAt < 0 || coverage === plane) return grey;
  const backdrop = coverage > 0 && covered / coverage < 128 ? 255 : 0;
  for (let p = 0; p < plane; p++) {
    const alpha = data[p * channels + alphaAt] / 255;
    grey[p] = alpha * grey[p] + (1 - alpha) * backdrop;
  }
  return grey;
}

/** The median of the 1-pixel border ring: the background level, since a digit should not fill its frame. */
export function borderMedian(grey: Float32Array, width: number, height: number): number {
  const ring: number[] = [];
  for (let x = 0; x < width; x++) ring.push(grey[x], grey[(height - 1) * width + x]);
  for (let y = 1; y < height - 1; y++) ring.push(grey[y * width], grey[y * width + width - 1]);
  ring.sort((a, b) => a - b);
  return ring[Math.floor(ring.length / 2)];
}
