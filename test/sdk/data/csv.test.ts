import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../../sdk/data/csv';
import { CsvError } from '../../../sdk/errors';
import { classCounts } from './fixtures';
import { thrown } from '../../helpers/errors';

const FILE = 'phones.csv';
const parse = (text: string, target = 'y') => parseCsv(text, { target, file: FILE });

describe('parseCsv', () => {
  it('reads the header, puts every column but the target into features in file order, and the target into y', () => {
    const ds = parse('a,y,b\n1,0,2\n3,1,4\n');
    expect(ds.features).toEqual(['a', 'b']);
    expect(ds.target).toBe('y');
    expect(ds.rows).toBe(2);
    expect(Array.from(ds.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(ds.y)).toEqual([0, 1]);
  });

  it('accepts a UTF-8 BOM, CRLF line ends and no trailing newline', () => {
    const ds = parse('\uFEFFa,y\r\n1.5,0\r\n-2e1,1');
    expect(ds.features).toEqual(['a']);
    expect(Array.from(ds.x)).toEqual([1.5, -20]);
    expect(Array.from(ds.y)).toEqual([0, 1]);
  });

  it('ignores blank lines at the end of the file', () => {
    expect(parse('a,y\n1,0\n\n\r\n  \n').rows).toBe(1);
  });

  it('reads RFC 4180 quoted fields, with "" standing for a quote, and trims whitespace around numbers', () => {
    const ds = parse('"size, ""cm""", y \n" 1.5 ",  2 \n"3","0"\n');
    expect(ds.features).toEqual(['size, "cm"']);
    expect(Array.from(ds.x)).toEqual([1.5, 3]);
    expect(Array.from(ds.y)).toEqual([2, 0]);
  });

  it('counts lines inside a quoted field, so later errors point at the right line', () => {
    const error = thrown(CsvError, () => parse('"a\nb",y\n1,0\n2,x\n'));
    expect(error.line).toBe(4);
  });

  it('treats a quoted "1,5" as one field: the row is not ragged, the cell is not a number', () => {
    const error = thrown(CsvError, () => parse('a,y\n"1,5",0\n'));
    expect(error.message).toContain('"1,5" is not a number');
  });

  it.each([
    ['an empty file', '', 1, undefined, ['empty']],
    ['only blank lines', '\n\n', 1, undefined, ['empty']],
    ['a header and no rows', 'a,y\n', 1, undefined, ['no data rows']],
    ['a duplicate column name', 'a,b,a,y\n1,2,3,0\n', 1, 'a', ['columns 1 and 3', 'unique']],
    ['an empty column name', 'a,,y\n1,2,0\n', 1, undefined, ['column 2 has an empty name']],
    ['a row with too few fields', 'a,b,y\n1,2,0\n1,2\n', 3, 'y', ['expected 3 fields', 'found 2']],
    ['a row with too many fields', 'a,y\n1,0\n1,2,0\n', 3, undefined, ['expected 2 fields', 'found 3']],
    ['a blank line between rows', 'a,y\n1,0\n\n2,1\n', 3, 'a', ['expected 2 fields', 'blank line']],
    ['an empty cell', 'a,b,y\n1,2,0\n1, ,0\n', 3, 'b', ['empty', 'missing value']],
    ['a non-numeric cell', 'a,y\n1,0\n12abc,1\n', 3, 'a', ['"12abc" is not a number']],
    ['a long non-numeric cell, quoted truncated', `a,y\n${'z'.repeat(200)},0\n`, 2, 'a', [`"${'z'.repeat(24)}…"`]],
    ['Infinity', 'a,y\nInfinity,0\n', 2, 'a', ['"Infinity" is not a finite number']],
    ['NaN', 'a,y\n1,0\nnan,0\n', 3, 'a', ['"nan" is not a finite number']],
    ['a number beyond float32', 'a,y\n1e39,0\n', 2, 'a', ['"1e39" is not a finite number']],
    ['a target that is not in the header', 'a,b\n1,2\n', 1, 'y', ['not in the header', 'available columns: a, b']],
    ['a fractional class label', 'a,y\n1,0\n2,1.5\n', 3, 'y', ['"1.5" is not a class label', 'non-negative integers']],
    ['a negative class label', 'a,y\n1,-1\n', 2, 'y', ['"-1" is not a class label']],
    ['an unclosed quote', 'a,y\n1,0\n"2,1\n', 3, undefined, ['never closed']],
    ['text after a closing quote', 'a,y\n"1"2,0\n', 2, undefined, ['after its closing quote']],
  ])('rejects %s with a CsvError naming the file, line and column', (_, text, line, column, fragments) => {
    const error = thrown(CsvError, () => parse(text));
    expect(error.file).toBe(FILE);
    expect(error.line).toBe(line);
    expect(error.column).toBe(column);
    expect(error.code).toBe('invalid_csv');
    expect(error.message).toContain(`${FILE}, line ${line}`);
    if (column !== undefined) expect(error.message).toContain(`column "${column}"`);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });
});

describe('readCsv', () => {
  const folder = mkdtempSync(join(tmpdir(), 'edgeml-csv-'));

  it('parses the file and records its path and the sha256 of its bytes as the source', async () => {
    const path = join(folder, 'small.csv');
    const bytes = 'a,y\n1,0\n2,1\n';
    writeFileSync(path, bytes);
    const ds = await readCsv(path, { target: 'y' });
    expect(ds.rows).toBe(2);
    expect(ds.source).toEqual({ path, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('reports a missing file as a CsvError that names the path, not as a raw ENOENT', async () => {
    const path = join(folder, 'missing.csv');
    const error = await readCsv(path, { target: 'y' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toContain(`${path} does not exist`);
    expect((error as CsvError).message).not.toContain('ENOENT');
  });
});

const KAGGLE = fileURLToPath(new URL('../../../../shared/data/mobile-price/train.csv', import.meta.url));
const hasKaggle = existsSync(KAGGLE);

describe.skipIf(!hasKaggle)(`the real Kaggle train.csv${hasKaggle ? '' : ` (SKIPPED: ${KAGGLE} not found)`}`, () => {
  it('parses to 2000 rows × 20 features with 500 rows of each price_range', async () => {
    const ds = await readCsv(KAGGLE, { target: 'price_range' });
    expect(ds.rows).toBe(2000);
    expect(ds.features).toHaveLength(20);
    expect(ds.features[0]).toBe('battery_power');
    expect(classCounts(ds.y)).toEqual([500, 500, 500, 500]);
    expect(Array.from(ds.x.subarray(0, 20))).toEqual(
      [842, 0, 2.2, 0, 1, 0, 7, 0.6, 188, 2, 2, 20, 756, 2549, 9, 7, 19, 0, 0, 1].map(Math.fround),
    );
    expect(ds.y[0]).toBe(1);
    expect(ds.source?.sha256).toBe('f9e8cd3154b8684a1be0ff401b1fba7750710af6bd076a399c6ce7ceb979c624');
  });
});
