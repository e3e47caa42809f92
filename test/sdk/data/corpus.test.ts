// The CSV cases of the bad-input corpus (test/fixtures/bad/cases.json) through the SDK's reader: each file gives the
// stated dataset, or a CsvError (code invalid_csv) naming the stated line and column, with the stated words.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../sdk/data/csv';
import { CsvError } from '../../../sdk/errors';
import { repoRoot } from '../../helpers/fixtures';
import type { CorpusCase, CsvCase } from '../../worker-node/corpus-context';

const corpus = path.join(repoRoot, 'test/fixtures/bad');
const { cases } = JSON.parse(readFileSync(path.join(corpus, 'cases.json'), 'utf8')) as { cases: CorpusCase[] };
const csvCases = cases.filter((c): c is CsvCase => c.kind === 'csv');

describe('the bad-input corpus through readCsv', () => {
  it('has the CSV cases the hardening issue names', () => {
    const files = csvCases.map((c) => c.file);
    expect(files).toEqual(expect.arrayContaining(['bom.csv', 'crlf.csv', 'quoted.csv', 'missing-value.csv']));
  });

  it.each(csvCases.map((c) => [c.name, c] as const))('%s', async (_, { file, target, expect: expected }) => {
    const where = path.join(corpus, file);
    if ('rows' in expected) {
      const dataset = await readCsv(where, { target });
      expect({ rows: dataset.rows, features: dataset.features, x: [...dataset.x], y: [...dataset.y] }).toEqual(expected);
      return;
    }
    const error = await readCsv(where, { target }).then(
      () => expect.fail(`${file} was read, but should fail with ${expected.message}`),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CsvError);
    const { code, line, column, message } = error as CsvError;
    expect({ code, line, column }).toEqual({ code: expected.code, line: expected.line, column: expected.column });
    expect(message).toContain(expected.message);
    expect(message.startsWith(`${where}, line ${expected.line}`)).toBe(true);
  });
});
