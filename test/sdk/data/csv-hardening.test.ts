// Inputs that used to hang the reader or escape as raw errors. No timings are asserted: each input is big enough that
// the quadratic number pattern this replaces would run for minutes, so vitest's per-test timeout catches a return.
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../../sdk/data/csv';
import { CsvError } from '../../../sdk/errors';
import { thrown } from '../../helpers/errors';

const FILE = 'wide.csv';
const parse = (text: string) => parseCsv(text, { target: 'y', file: FILE });

describe('numbers are parsed in linear time', () => {
  const digits = '1'.repeat(500_000); // the old pattern: 21 s at 200 000 digits, about 2 min at 500 000
  it.each([
    ['digits and a letter', `${digits}x`],
    ['digits, a dot, digits and a letter', `${digits}.${digits}x`],
    ['an exponent of digits and a letter', `1e${digits}x`],
    ['a sign, digits and a second sign', `-${digits}-`],
  ])('refuses a cell of %s, naming line and column', (_, cell) => {
    const error = thrown(CsvError, () => parse(`a,y\n1,0\n${cell},1\n`));
    expect(error.line).toBe(3);
    expect(error.column).toBe('a');
    expect(error.message).toContain(`${FILE}, line 3, column "a": "${cell.slice(0, 24)}…" is not a number`);
  });

  it('still reads a 500 000-digit number (as Infinity: beyond float32) and a long fraction', () => {
    expect(thrown(CsvError, () => parse(`a,y\n${digits},0\n`)).message).toContain('is not a finite number');
    expect(Array.from(parse(`a,y\n0.${digits},0\n`).x)).toEqual([Math.fround(0.1111111111111111)]);
  });
});

describe('wide files', () => {
  it('reads 100 000 columns', () => {
    const columns = 100_000;
    const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
    const ds = parse(`${header},y\n${'1,'.repeat(columns)}0\n${'2,'.repeat(columns)}1\n`);
    expect(ds.features).toHaveLength(columns);
    expect(ds.features[columns - 1]).toBe(`c${columns - 1}`);
    expect([ds.x[0], ds.x[columns], ds.y[1]]).toEqual([1, 2, 1]);
  });

  it('names the first repeated column of 100 000', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    names[99_999] = 'c5';
    const error = thrown(CsvError, () => parse(`${names.join(',')},y\n${'1,'.repeat(100_000)}0\n`));
    expect(error.message).toContain('columns 6 and 100000');
  });
});

describe('readCsv on a path that is not a file', () => {
  it('says a folder is a folder, as a CsvError, not a raw EISDIR', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'edgeml-csv-')), 'data.csv');
    mkdirSync(folder);
    const error = await readCsv(folder, { target: 'y' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe(`${folder} is a folder, not a CSV file; give the path of the .csv file in it`);
    expect((error as CsvError).file).toBe(folder);
  });
});
