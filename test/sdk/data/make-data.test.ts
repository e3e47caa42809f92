import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../sdk/data/csv';
import { makePhonePrices } from '../../../scripts/make-data';
import { classCounts, column } from './fixtures';

const KAGGLE_HEADER =
  'battery_power,blue,clock_speed,dual_sim,fc,four_g,int_memory,m_dep,mobile_wt,n_cores,pc,px_height,px_width,' +
  'ram,sc_h,sc_w,talk_time,three_g,touch_screen,wifi,price_range';
const RANGES: Record<string, [number, number]> = {
  battery_power: [501, 1998], blue: [0, 1], clock_speed: [0.5, 3], dual_sim: [0, 1], fc: [0, 19], four_g: [0, 1],
  int_memory: [2, 64], m_dep: [0.1, 1], mobile_wt: [80, 200], n_cores: [1, 8], pc: [0, 20], px_height: [0, 1960],
  px_width: [500, 1998], ram: [256, 3998], sc_h: [5, 19], sc_w: [0, 18], talk_time: [2, 20], three_g: [0, 1],
  touch_screen: [0, 1], wifi: [0, 1],
};
const root = fileURLToPath(new URL('../../../', import.meta.url));
const parse = (text: string) => parseCsv(text, { target: 'price_range', file: 'generated.csv' });

describe('make-data', () => {
  const text = makePhonePrices({ rows: 2000, seed: 7 });
  const ds = parse(text);
  const values = (name: string) => column(ds, ds.features.indexOf(name));

  it('gives byte-identical text for the same seed and different text for another', () => {
    expect(makePhonePrices({ rows: 2000, seed: 7 })).toBe(text);
    expect(makePhonePrices({ rows: 2000, seed: 8 })).not.toBe(text);
  });

  it('writes exactly the Kaggle header and the requested number of rows', () => {
    expect(text.split('\n', 1)[0]).toBe(KAGGLE_HEADER);
    expect(ds.rows).toBe(2000);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('balances price_range: 500 rows of each class in 2000', () => {
    expect(classCounts(ds.y)).toEqual([500, 500, 500, 500]);
  });

  it('spreads every column over the real file’s range, one-decimal columns in tenths and the rest integers', () => {
    for (const [name, [low, high]] of Object.entries(RANGES)) {
      const observed = values(name);
      const [min, max] = [Math.min(...observed), Math.max(...observed)];
      expect(min, name).toBeGreaterThanOrEqual(Math.fround(low));
      expect(max, name).toBeLessThanOrEqual(Math.fround(high));
      expect(max - min, `${name} spans its range`).toBeGreaterThan(0.9 * (high - low));
      const step = name === 'clock_speed' || name === 'm_dep' ? 10 : 1;
      for (const value of observed) expect(Math.abs(value * step - Math.round(value * step)), name).toBeLessThan(1e-4);
    }
  });

  it('keeps pc ≥ fc and three_g = 1 whenever four_g = 1', () => {
    const [fc, pc, fourG, threeG] = ['fc', 'pc', 'four_g', 'three_g'].map(values);
    fc.forEach((front, row) => expect(pc[row]).toBeGreaterThanOrEqual(front));
    expect(threeG.filter((_, row) => fourG[row] === 1).every((has3G) => has3G === 1)).toBe(true);
  });

  it('makes price rise with ram, so the classes are learnable', () => {
    const ram = values('ram');
    const meanRam = [0, 1, 2, 3].map((label) => {
      const ofClass = ram.filter((_, row) => ds.y[row] === label);
      return ofClass.reduce((sum, v) => sum + v, 0) / ofClass.length;
    });
    expect(meanRam).toEqual([...meanRam].sort((a, b) => a - b));
    expect(meanRam[3] - meanRam[0]).toBeGreaterThan(2000);
  });

  it('matches the committed data/phone-price.csv, so the file is what the default command generates', () => {
    expect(readFileSync(join(root, 'data/phone-price.csv'), 'utf8')).toBe(text);
  });

  it('runs as a CLI that writes the file and prints where and the class counts', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'edgeml-make-data-')), 'phones.csv');
    const printed = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/make-data.ts', '--out', out, '--rows', '40'],
      { cwd: root, encoding: 'utf8' });
    expect(printed).toContain(`wrote 40 rows to ${out}`);
    expect(printed).toContain('price_range counts: 0: 10, 1: 10, 2: 10, 3: 10');
    expect(readFileSync(out, 'utf8')).toBe(makePhonePrices({ rows: 40, seed: 7 }));
  });
});
