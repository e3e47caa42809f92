import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { drawText, GLYPH_HEIGHT } from './font';
import type { Image } from './image';
import { solid } from './layout';

export interface FeatureMapOptions {
  /** Tiles per row; default ⌈√C⌉. */
  columns?: number;
  /** One label per map, drawn above its tile; default "0", "1", …. Digits, letters, _, - and . are drawn. */
  labels?: readonly string[];
  /** Integer upscaling of every map (nearest neighbour), for small maps. Default 1. */
  scale?: number;
  /** Gap in pixels around and between tiles. Default 4. */
  padding?: number;
}

const BACKGROUND = 255;
const INK = 0;
/** What a map with no contrast (all values equal) shows: mid-grey rather than a division by zero. */
const FLAT = 128;

/**
 * Renders feature maps `[C, H, W]` (or `[1, C, H, W]`) as one grey image: a grid of C tiles of (H·scale)×(W·scale)
 * pixels, each map min-max scaled to 0–255 on its own, each tile with its label above it, on white. Encode the
 * result with encodePng.
 *
 * Size: with `columns` c, rows r = ⌈C/c⌉, label strip l = 5·t + 2 where the text scale t = max(1, ⌊W·scale/48⌋):
 *   width = c·W·scale + (c + 1)·padding,   height = r·(l + H·scale) + (r + 1)·padding.
 */
export function renderFeatureMaps(maps: tf.Tensor, options: FeatureMapOptions = {}): Image {
  if (!(maps.rank === 3 || (maps.rank === 4 && maps.shape[0] === 1))) {
    throw new ArgumentError(`renderFeatureMaps expects [C, H, W] or [1, C, H, W], got shape [${maps.shape}]`);
  }
  const [count, height, width] = maps.shape.slice(-3);
  const { columns = Math.ceil(Math.sqrt(count)), scale = 1, padding = 4 } = options;
  const labels = options.labels ?? Array.from({ length: count }, (_, i) => String(i));
  if (![columns, scale].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(padding) || padding < 0) {
    throw new ArgumentError(`renderFeatureMaps: columns and scale must be positive integers and padding ≥ 0`);
  }
  if (labels.length !== count) throw new ArgumentError(`renderFeatureMaps: ${labels.length} labels for ${count} maps`);
  const [tileWidth, tileHeight] = [width * scale, height * scale];
  // Labels grow with the tiles so they stay legible in large grids.
  const textScale = Math.max(1, Math.floor(tileWidth / 48));
  const labelHeight = GLYPH_HEIGHT * textScale + 2;
  const rows = Math.ceil(count / columns);
  const image = solid(
    columns * tileWidth + (columns + 1) * padding,
    rows * (labelHeight + tileHeight) + (rows + 1) * padding,
    BACKGROUND,
    1,
  );
  const values = maps.dataSync();
  const plane = width * height;
  for (let k = 0; k < count; k++) {
    const left = padding + (k % columns) * (tileWidth + padding);
    const top = padding + Math.floor(k / columns) * (labelHeight + tileHeight + padding);
    drawText(image, labels[k], [left, top + 1], { scale: textScale, value: INK, right: left + tileWidth });
    const grey = toGrey(values.subarray(k * plane, (k + 1) * plane));
    for (let y = 0; y < tileHeight; y++) {
      const row = (top + labelHeight + y) * image.width + left;
      const source = Math.floor(y / scale) * width;
      if (scale === 1) image.data.set(grey.subarray(source, source + width), row);
      else for (let x = 0; x < tileWidth; x++) image.data[row + x] = grey[source + Math.floor(x / scale)];
    }
  }
  return image;
}

/** Min-max scaling of one map to 0–255; a map without contrast, or with NaN or ±Infinity, becomes FLAT. */
function toGrey(map: ArrayLike<number>): Uint8Array {
  const length = map.length; // read once: reading it per step made each loop 1.25–1.7× slower
  let [min, max] = [Infinity, -Infinity];
  // Math.min and Math.max rather than comparisons, which made this loop 2.5–4.5× slower (0.37 ms against 0.9–1.7 on a
  // 427×640 map, Node 20.20.2 on a 2-core AMD EPYC); a NaN carries through them, and ±Infinity too, to the range.
  for (let i = 0; i < length; i++) {
    const value = map[i];
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const range = max - min;
  if (!(range > 0 && Number.isFinite(range))) return new Uint8Array(length).fill(FLAT);
  // A plain loop: Uint8Array.from with a mapping function is ~15× slower on the million-value maps of a photo. The
  // store truncates, so x + 0.5 (x in 0–255) rounds as Math.round does, ties up, at a third of Math.round's cost.
  const grey = new Uint8Array(length);
  for (let i = 0; i < length; i++) grey[i] = ((map[i] - min) / range) * 255 + 0.5;
  return grey;
}
