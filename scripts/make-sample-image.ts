/**
 * Writes the demo page's sample image (served by the Worker as /sample.png): a 192×192 sunset with straight,
 * diagonal, curved and striped edges, so every kernel and pooling of the page has something to show. Deterministic:
 * re-running it reproduces the file byte for byte (USAGE below).
 */
import { image } from '../sdk/index';
import { parseCli, runCli } from './cli';

type Image = image.Image;

const USAGE = `Usage: npx tsx scripts/make-sample-image.ts [--out FILE]

Writes the demo page's 192×192 sample image as a PNG, the same bytes every time.

  --out FILE   where to write (default data/sample.png)
  --help       print this

Example:
  npx tsx scripts/make-sample-image.ts --out /tmp/sample.png`;
const SIZE = 192;
/** Samples per pixel side: edges are anti-aliased by averaging SUPERSAMPLE² points. */
const SUPERSAMPLE = 4;
const HORIZON = 150;

type Rgb = readonly [number, number, number];

const SKY: readonly [stop: number, colour: Rgb][] = [
  [0, [30, 27, 75]],
  [0.55, [190, 60, 120]],
  [1, [251, 146, 60]],
];
const SUN = { x: 96, y: 116, r: 34, core: [254, 240, 138] as Rgb, rim: [253, 186, 116] as Rgb };
const MOUNTAINS = [
  { peak: [150, 84], left: 78, right: 236, colour: [88, 63, 130] as Rgb, snow: 0 },
  { peak: [54, 64], left: -28, right: 140, colour: [58, 48, 104] as Rgb, snow: 22 },
] as const;
const SNOW: Rgb = [237, 233, 254];
const WATER_TOP: Rgb = [23, 94, 104];
const WATER_BOTTOM: Rgb = [8, 40, 66];
const GLINT: Rgb = [253, 200, 120];
const STARS: readonly [x: number, y: number][] = [
  [18, 14], [44, 30], [80, 10], [112, 36], [140, 16], [170, 28], [184, 54], [126, 60], [30, 50], [160, 6],
];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t) as unknown as Rgb;

function sky(y: number): Rgb {
  const t = Math.min(1, Math.max(0, y / HORIZON));
  const upper = SKY.findIndex(([stop]) => stop >= t);
  if (upper <= 0) return SKY[0][1];
  const [[from, a], [to, b]] = [SKY[upper - 1], SKY[upper]];
  return mix(a, b, (t - from) / (to - from));
}

/** The colour at the point (x, y), painted back to front. */
function colourAt(x: number, y: number): Rgb {
  if (y >= HORIZON) {
    const depth = (y - HORIZON) / (SIZE - HORIZON);
    const halfWidth = SUN.r * (1 - depth * 0.8);
    const inGlint = Math.abs(x - SUN.x) < halfWidth && Math.floor((y - HORIZON) / 4) % 2 === 0;
    return inGlint ? mix(GLINT, WATER_TOP, depth * 0.6) : mix(WATER_TOP, WATER_BOTTOM, depth);
  }
  for (const { peak, left, right, colour, snow } of MOUNTAINS) {
    const [px, py] = peak;
    const edge = x < px ? py + ((HORIZON - py) * (px - x)) / (px - left) : py + ((HORIZON - py) * (x - px)) / (right - px);
    if (y >= edge) return y < py + snow ? SNOW : colour;
  }
  const fromSun = Math.hypot(x - SUN.x, y - SUN.y);
  if (fromSun <= SUN.r) return mix(SUN.core, SUN.rim, (fromSun / SUN.r) ** 2);
  if (STARS.some(([sx, sy]) => Math.hypot(x - sx, y - sy) <= 1.3)) return [255, 255, 255];
  return sky(y);
}

export function sampleImage(): Image {
  const data = new Uint8Array(SIZE * SIZE * 3);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const colour = colourAt(x + (sx + 0.5) / SUPERSAMPLE, y + (sy + 0.5) / SUPERSAMPLE);
          for (let c = 0; c < 3; c++) sum[c] += colour[c];
        }
      }
      for (let c = 0; c < 3; c++) data[(y * SIZE + x) * 3 + c] = Math.round(sum[c] / samples);
    }
  }
  return { width: SIZE, height: SIZE, channels: 3, data };
}

runCli(async () => {
  const { out, help } = parseCli({ out: { type: 'string', default: 'data/sample.png' }, help: { type: 'boolean', default: false } });
  if (help) return console.log(USAGE);
  await image.writePng(out, sampleImage());
  console.log(`wrote ${out}`);
}, USAGE);
