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
  const colour = channels >= 3;
  for (let p = 0; p < plane; p++) {
    const at = p * channels;
    grey[p] = colour ? LUMA[0] * data[at] + LUMA[1] * data[at + 1] + LUMA[2] * data[at + 2] : data[at];
  }
  if (channels === 1 || channels === 3) return grey;
  const alphaAt = channels - 1;
  let [covered, coverage] = [0, 0];
  for (let p = 0; p < plane; p++) {
    const alpha = data[p * channels + alphaAt] / 255;
    covered += alpha * grey[p];
    coverage += alpha;
  }
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
