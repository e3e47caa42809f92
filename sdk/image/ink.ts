import { LUMA } from './layout';
import type { Image } from './image';

/** Luma's weights as integers: LUMA × LUMA_LEVELS, exactly. */
const LUMA_LEVELS = 10_000;
const [R, G, B] = LUMA.map((weight) => Math.round(weight * LUMA_LEVELS));

/**
 * The image as one grey plane (row-major) in units of 1/`levels` of a grey level, so 0–255·levels: luma of RGB
 * (torchvision's weights) as integers, grey as it is (levels 1). Where there is alpha and a pixel that is not
 * opaque, each pixel is composited over a backdrop that contrasts with the opaque pixels (white behind dark ones,
 * black behind light ones), so a stroke drawn on a transparent canvas stays visible whatever its colour.
 * Integers because the first picture a Worker sees runs this before the JIT has compiled it, where every
 * fractional intermediate is allocated (a 280×280 RGBA canvas: 2.3 against 4.0 ms in a fresh Node process).
 */
export function greyPlane({ width, height, channels, data }: Image): { grey: Float32Array; levels: number } {
  const plane = width * height;
  const grey = new Float32Array(plane);
  if (channels === 1) {
    grey.set(data); // converted by the runtime, not a loop
    return { grey, levels: 1 };
  }
  const colour = channels >= 3;
  const levels = colour ? LUMA_LEVELS : 1;
  const alphaAt = channels === 2 || channels === 4 ? channels - 1 : -1;
  let opaque = 0;
  for (let p = 0, at = 0; p < plane; p++, at += channels) {
    grey[p] = colour ? R * data[at] + G * data[at + 1] + B * data[at + 2] : data[at];
    if (alphaAt > 0 && data[at + alphaAt] === 255) opaque++;
  }
  // Fully opaque (a canvas's usual PNG): compositing would change nothing.
  if (alphaAt < 0 || opaque === plane) return { grey, levels };
  let [covered, coverage] = [0, 0];
  for (let p = 0; p < plane; p++) {
    const alpha = data[p * channels + alphaAt] / 255;
    covered += alpha * grey[p];
    coverage += alpha;
  }
  const backdrop = coverage > 0 && covered / coverage < 128 * levels ? 255 * levels : 0;
  for (let p = 0; p < plane; p++) {
    const alpha = data[p * channels + alphaAt] / 255;
    grey[p] = alpha * grey[p] + (1 - alpha) * backdrop;
  }
  return { grey, levels };
}

/** The median of the 1-pixel border ring: the background level, since a digit should not fill its frame. */
export function borderMedian(grey: Float32Array, width: number, height: number): number {
  const ring = new Float32Array(height > 1 ? 2 * width + 2 * (height - 2) : width);
  ring.set(grey.subarray(0, width));
  if (height > 1) ring.set(grey.subarray((height - 1) * width, height * width), width);
  for (let y = 1, at = 2 * width; y < height - 1; y++, at += 2) {
    ring[at] = grey[y * width];
    ring[at + 1] = grey[y * width + width - 1];
  }
  // A typed array sorts numerically in the runtime: no comparator called per comparison before the JIT.
  ring.sort();
  return ring[Math.floor(ring.length / 2)];
}
