/**
 * Writes a synthetic phone-price CSV with the schema of Kaggle's "Mobile Price Classification" train.csv, so the
 * project ships data it may redistribute (USAGE below).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { data, Generator } from '../sdk/index';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run make-data -- [options]

Writes a synthetic phone-price CSV with the schema of Kaggle's "Mobile Price Classification" train.csv. The same
rows and seed always give the same bytes.

  --out FILE   where to write (default data/phone-price.csv)
  --rows N     number of phones (default 2000)
  --seed S     random seed (default 7)
  --help       print this

Example:
  npm run make-data -- --out data/small.csv --rows 200`;

export const PHONE_FEATURES = [
  'battery_power', 'blue', 'clock_speed', 'dual_sim', 'fc', 'four_g', 'int_memory', 'm_dep', 'mobile_wt', 'n_cores',
  'pc', 'px_height', 'px_width', 'ram', 'sc_h', 'sc_w', 'talk_time', 'three_g', 'touch_screen', 'wifi',
] as const;
export const PHONE_TARGET = 'price_range';
const PRICE_CLASSES = 4;
const ONE_DECIMAL: ReadonlySet<string> = new Set(['clock_speed', 'm_dep']);

type Phone = Record<(typeof PHONE_FEATURES)[number], number>;

/**
 * The CSV text (LF line ends, trailing newline) of `rows` synthetic phones; the same rows and seed always give the
 * same bytes. price_range is the quartile of a score made mostly of ram, then battery_power and pixel resolution,
 * plus a little noise, so the classes are balanced (within one row) and learnable, as in the real data.
 */
export function makePhonePrices({ rows = 2000, seed = 7 }: { rows?: number; seed?: number } = {}): string {
  const generator = new Generator(seed);
  const phones = Array.from({ length: rows }, () => drawPhone(generator));
  const scores = phones.map((phone) => priceScore(phone) + 0.06 * generator.next());
  const ranked = scores.map((_, row) => row).sort((a, b) => scores[a] - scores[b]);
  const priceRange = new Array<number>(rows);
  ranked.forEach((row, rank) => (priceRange[row] = Math.floor((rank * PRICE_CLASSES) / rows)));
  const lines = phones.map((phone, row) => [...PHONE_FEATURES.map((name) => format(name, phone[name])), priceRange[row]]);
  return [[...PHONE_FEATURES, PHONE_TARGET], ...lines].map((fields) => fields.join(',')).join('\n') + '\n';
}

/** One phone with every column uniform over the real file's range, plus its two dependencies (pc ≥ fc; 4G implies 3G). */
function drawPhone(generator: Generator): Phone {
  const integer = (low: number, high: number) => low + Math.floor(generator.next() * (high - low + 1));
  const fc = integer(0, 19);
  const fourG = integer(0, 1);
  return {
    battery_power: integer(501, 1998),
    blue: integer(0, 1),
    clock_speed: integer(5, 30) / 10,
    dual_sim: integer(0, 1),
    fc,
    four_g: fourG,
    int_memory: integer(2, 64),
    m_dep: integer(1, 10) / 10,
    mobile_wt: integer(80, 200),
    n_cores: integer(1, 8),
    pc: integer(fc, 20),
    px_height: integer(0, 1960),
    px_width: integer(500, 1998),
    ram: integer(256, 3998),
    sc_h: integer(5, 19),
    sc_w: integer(0, 18),
    talk_time: integer(2, 20),
    three_g: fourG === 1 ? 1 : integer(0, 1),
    touch_screen: integer(0, 1),
    wifi: integer(0, 1),
  };
}

/** In [0, 1]: the weights make ram dominate, as it does in the Kaggle data (correlation with price about 0.9). */
function priceScore(phone: Phone): number {
  const scaled = (value: number, low: number, high: number) => (value - low) / (high - low);
  return (
    0.68 * scaled(phone.ram, 256, 3998) +
    0.16 * scaled(phone.battery_power, 501, 1998) +
    0.08 * scaled(phone.px_height, 0, 1960) +
    0.08 * scaled(phone.px_width, 500, 1998)
  );
}

function format(name: string, value: number): string {
  return ONE_DECIMAL.has(name) ? value.toFixed(1) : String(value);
}

function integerOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!(Number.isInteger(value) && value >= min && value <= 0xffffffff)) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got "${text}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const values = parseCli({
    out: { type: 'string', default: 'data/phone-price.csv' },
    rows: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '7' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return console.log(USAGE);
  const rows = integerOption('rows', values.rows, PRICE_CLASSES);
  const seed = integerOption('seed', values.seed, 0);
  const text = makePhonePrices({ rows, seed });
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, text);
  const counts = new Array<number>(PRICE_CLASSES).fill(0);
  for (const label of data.parseCsv(text, { target: PHONE_TARGET, file: values.out }).y) counts[label]++;
  console.log(`wrote ${rows} rows to ${values.out} (seed ${seed})`);
  console.log(`${PHONE_TARGET} counts: ${counts.map((count, label) => `${label}: ${count}`).join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main, USAGE);
