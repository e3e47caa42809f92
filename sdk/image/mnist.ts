/**
 * MNIST's own preprocessing, for any picture of one digit: what turns a photo, a scan or a canvas drawing into the
 * kind of 28×28 image the MNIST digits are, so a model trained on them sees the same thing. Pure TypeScript over
 * the decoded pixels, no Node: the SDK and the Worker run this same code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import { connectedComponents } from './components';
import { checkImage, type Image } from './image';
import { borderMedian, greyPlane } from './ink';
import { resizePlane } from './resample';

/** The output is MNIST_SIZE² with the digit fitted into MNIST_BOX², as in LeCun and Cortes's MNIST. */
export const MNIST_SIZE = 28;
export const MNIST_BOX = 20;
/** Smaller pictures cannot hold a digit and its background. */
export const MIN_SIDE = 8;
/** Grey levels (of 255) by which ink must differ from the background. */
const MIN_CONTRAST = 32;
/** Ink at or above this share of the strongest counts as a stroke (for the bounding box and the checks). */
const STROKE = 0.25;
/** Fainter ink is background texture or compression noise, and is cleared. */
const FLOOR = 0.1;

/**
 * The digit in `image` (any size; grey, RGB, with or without alpha; dark ink on a light background or the
 * reverse) as 784 values in [0, 1], row-major 28×28, bright ink on black as in MNIST:
 * 1. grey (luma; alpha composited over a contrasting backdrop);
 * 2. polarity: the background level is the median of the border ring; the ink is the side (darker or brighter
 *    than the background) that more pixels differ on by MIN_CONTRAST levels; ink = distance from the background,
 *    with faint values (under FLOOR of the strongest) cleared;
 * 3. crop to the bounding box of the strokes (ink ≥ STROKE of the strongest), leaving out specks: 8-connected
 *    pieces smaller than a tenth of the largest;
 * 4. scale so the longer side is 20 pixels, keeping the aspect ratio (area averaging when shrinking, bilinear when
 *    enlarging), and rescale the ink so its maximum is 1 again;
 * 5. place in 28×28 so that the centre of mass, Σ v·(column, row) / Σ v, lands on (14, 14) to the nearest pixel
 *    (the MNIST digits' own mean centre of mass in these coordinates), clipping what would fall outside.
 * Throws InputError (code 'invalid_input', `details.reason`): 'too_small' for a side under MIN_SIDE pixels,
 * 'blank' when nothing differs from the background by MIN_CONTRAST levels, 'noise' when the ink is not a
 * digit-like shape on a plain background (both polarities equally present, ink over 45 % of the picture, or ink
 * scattered in pieces with no piece holding half of it).
 */
export function mnistPixels(image: Image): Float32Array {
  checkImage(image);
  const { width, height } = image;
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new InputError(
      `a ${width}×${height} image is too small to hold a digit; send at least ${MIN_SIDE}×${MIN_SIDE} pixels`,
      { reason: 'too_small', width, height },
    );
  }
  const { ink, mask, strokes } = readInk(greyPlane(image), width, height);
  const box = strokeBox(ink, mask, strokes, width, height);
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    crop.set(ink.subarray((box.top + y) * width + box.left, (box.top + y) * width + box.left + box.width), y * box.width);
  }
  const scale = MNIST_BOX / Math.max(box.width, box.height);
  const fitted = [Math.max(1, Math.round(box.width * scale)), Math.max(1, Math.round(box.height * scale))] as const;
  const digit = resizePlane(crop, [box.width, box.height], fitted);
  stretchToOne(digit);
  return centreByMass(digit, fitted[0], fitted[1]);
}

/** {@link mnistPixels} as a `[1, 28, 28]` float32 tensor, the input of a model trained on MNIST. */
export function preprocessMnist(image: Image): tf.Tensor3D {
  return tf.tensor3d(mnistPixels(image), [1, MNIST_SIZE, MNIST_SIZE]);
}

/**
 * Steps 2 and 3's reading of the picture: the ink by its distance from the background, on the side that most pixels
 * differ on, faint values (< FLOOR of the strongest) cleared; and the strokes (≥ STROKE of the strongest), marked in
 * a mask and listed by index. Left unscaled: stretchToOne brings the fitted digit to 1 whatever the scale, so only
 * the thresholds need the strongest value, which the counting pass finds. Two passes over the picture, since the
 * first picture a Worker sees runs this code before the JIT has compiled it (indexed loops with locals for the same
 * reason: an iterator or a destructuring per pixel costs several times the arithmetic there).
 */
function readInk({ grey, levels }: { grey: Float32Array; levels: number }, width: number, height: number) {
  const background = borderMedian(grey, width, height);
  const darkAt = background - MIN_CONTRAST * levels;
  const brightAt = background + MIN_CONTRAST * levels;
  let darker = 0;
  let brighter = 0;
  let darkest = background;
  let brightest = background;
  for (let p = 0; p < grey.length; p++) {
    const v = grey[p];
    if (v <= darkAt) {
      darker++;
      if (v < darkest) darkest = v;
    } else if (v >= brightAt) {
      brighter++;
      if (v > brightest) brightest = v;
    }
  }
  if (darker + brighter === 0) {
    throw new InputError(`the image is blank: no pixel differs from the background by ${MIN_CONTRAST} grey levels`, {
      reason: 'blank',
    });
  }
  if (Math.min(darker, brighter) > 0.5 * Math.max(darker, brighter)) {
    throw noise(`as many pixels are brighter than the background as darker (${brighter} and ${darker})`);
  }
  const sign = darker > brighter ? -1 : 1;
  const peak = sign < 0 ? background - darkest : brightest - background;
  const [faint, stroke] = [FLOOR * peak, STROKE * peak];
  const ink = new Float32Array(grey.length);
  const mask = new Uint8Array(grey.length);
  const strokes = new Int32Array(grey.length);
  let count = 0;
  for (let p = 0; p < grey.length; p++) {
    const v = sign * (grey[p] - background);
    if (v < faint) continue;
    ink[p] = v;
    if (v >= stroke) {
      mask[p] = 1;
      strokes[count++] = p;
    }
  }
  return { ink, mask, strokes: strokes.subarray(0, count) };
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Step 3: the strokes' bounding box, after the checks that they look like a digit. Clears the specks left out. */
function strokeBox(ink: Float32Array, mask: Uint8Array, strokes: Int32Array, width: number, height: number): Box {
  if (strokes.length > 0.45 * mask.length) {
    throw noise(`ink covers ${Math.round((100 * strokes.length) / mask.length)} % of the picture`);
  }
  const { labels, sizes } = connectedComponents(mask, width, height, strokes);
  const largest = sizes.reduce((max, size) => Math.max(max, size), 0);
  if (largest < 0.5 * strokes.length) {
    throw noise(
      `the ink is scattered in ${sizes.length - 1} pieces, the largest holding ${largest} of ${strokes.length} pixels`,
    );
  }
  let left = width;
  let top = height;
  let right = -1;
  let bottom = -1;
  const speck = 0.1 * largest;
  for (let i = 0; i < strokes.length; i++) {
    const p = strokes[i];
    if (sizes[labels[p]] < speck) {
      ink[p] = 0;
      continue;
    }
    const x = p % width;
    const y = (p - x) / width;
    if (x < left) left = x;
    if (x > right) right = x;
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

function noise(why: string): InputError {
  return new InputError(`the image does not look like a digit on a plain background: ${why}`, { reason: 'noise' });
}

function stretchToOne(values: Float32Array): void {
  let peak = 0;
  for (const v of values) peak = Math.max(peak, v);
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, values[i] / peak);
}

/** Step 5: the `width × height` digit placed in MNIST_SIZE² with its centre of mass at the centre (14, 14). */
function centreByMass(digit: Float32Array, width: number, height: number): Float32Array {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = digit[y * width + x];
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  const centre = MNIST_SIZE / 2;
  const left = Math.round(centre - sumX / mass);
  const top = Math.round(centre - sumY / mass);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < height; y++) {
    const ty = top + y;
    if (ty < 0 || ty >= MNIST_SIZE) continue;
    for (let x = 0; x < width; x++) {
      const tx = left + x;
      if (tx >= 0 && tx < MNIST_SIZE) out[ty * MNIST_SIZE + tx] = digit[y * width + x];
    }
  }
  return out;
}
