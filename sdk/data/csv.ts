import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CsvError } from '../errors';
import type { Dataset } from './dataset';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
/**
 * Decimal numbers only (no hex, binary, `Infinity` or `1_000`, which Number() would take). Written so that no
 * quantifier can match what the token after it matches (the fraction needs its dot): a failed match gives back each
 * character once, in linear time. `\d+\.?\d*` did not, and took 21 s on a cell of 200 000 digits and a letter.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPELLED_NON_FINITE = /^[+-]?(?:inf(?:inity)?|nan)$/i;
const QUOTED_TEXT_LIMIT = 24;
const INT32_MAX = 0x7fffffff;

interface CsvRecord {
  /** The 1-based line the record starts on (a quoted field may span lines). */
  readonly line: number;
  readonly fields: string[];
}

interface Cursor {
  pos: number;
  line: number;
}

/**
 * Reads a numeric CSV file (Node only) into a Dataset whose `source` holds the path and the sha256 of the file's bytes.
 * Throws CsvError when the file does not exist or when `parseCsv` rejects its contents.
 */
export async function readCsv(path: string, { target }: { target: string }): Promise<Dataset> {
  const bytes = await readBytes(path);
  const dataset = parseCsv(bytes.toString('utf8'), { target, file: path });
  return { ...dataset, source: { path, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

/**
 * Parses CSV text (RFC 4180 quoting, LF or CRLF, optional UTF-8 BOM) whose first line names the columns and whose
 * other lines are numbers. `target` names the column of non-negative integer class labels; every other column
 * becomes a feature, in file order. Blank lines may end the file. Anything else that does not fit throws a CsvError
 * naming `file`, the line (the header is line 1), the column, and what to change.
 */
export function parseCsv(text: string, { target, file }: { target: string; file: string }): Dataset {
  const records = readRecords(text.charCodeAt(0) === BOM ? text.slice(1) : text, file);
  while (records.length > 0 && isBlank(records[records.length - 1])) records.pop();
  if (records.length === 0) {
    throw csvError(file, 1, undefined, 'the file is empty; it needs a header row and at least one data row');
  }
  const columns = readHeader(records[0], file);
  const targetIndex = columns.indexOf(target);
  if (targetIndex < 0) {
    throw csvError(file, 1, target, `the target column is not in the header; available columns: ${columns.join(', ')}`);
  }
  const rows = records.length - 1;
  if (rows === 0) throw csvError(file, 1, undefined, 'the file has a header but no data rows; add at least one row');

  const features = columns.filter((_, index) => index !== targetIndex);
  const x = new Float32Array(rows * features.length);
  const y = new Int32Array(rows);
  let xi = 0;
  for (let row = 0; row < rows; row++) {
    const record = records[row + 1];
    if (record.fields.length !== columns.length || isBlank(record)) throw raggedRow(record, columns, file);
    for (let column = 0; column < columns.length; column++) {
      const value = readNumber(record.fields[column], file, record.line, columns[column]);
      if (column === targetIndex) y[row] = classLabel(value, record.fields[column], file, record.line, target);
      else x[xi++] = value;
    }
  }
  return { features, target, x, y, rows };
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') {
      throw new CsvError(`${path} does not exist; check the path (relative paths start at ${process.cwd()})`, path);
    }
    if (code === 'EISDIR') throw new CsvError(`${path} is a folder, not a CSV file; give the path of the .csv file in it`, path);
    throw new CsvError(`${path} cannot be read (${message}); check that it is a readable file`, path);
  }
}

function readRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const at: Cursor = { pos: 0, line: 1 };
  while (at.pos < text.length) {
    const record: CsvRecord = { line: at.line, fields: [] };
    let terminator: number;
    do {
      const field = record.fields.length + 1;
      record.fields.push(text.charCodeAt(at.pos) === QUOTE ? readQuoted(text, at, file, record.line, field) : readPlain(text, at));
      terminator = text.charCodeAt(at.pos++);
    } while (terminator === COMMA);
    if (terminator === CR && text.charCodeAt(at.pos) === LF) at.pos++;
    at.line++;
    records.push(record);
  }
  return records;
}

function readPlain(text: string, at: Cursor): string {
  const start = at.pos;
  while (!isFieldEnd(text.charCodeAt(at.pos))) at.pos++;
  return text.slice(start, at.pos);
}

/** Reads the quoted field starting at `at.pos`; a doubled quote inside it stands for one quote. */
function readQuoted(text: string, at: Cursor, file: string, line: number, field: number): string {
  let value = '';
  let from = at.pos + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) {
      throw csvError(file, line, undefined, `field ${field} opens a quote that is never closed; add the closing quote (")`);
    }
    value += text.slice(from, quote);
    if (text.charCodeAt(quote + 1) !== QUOTE) {
      at.line += countLineBreaks(text, at.pos, quote);
      at.pos = quote + 1;
      break;
    }
    value += '"';
    from = quote + 2;
  }
  if (!isFieldEnd(text.charCodeAt(at.pos))) {
    throw csvError(file, line, undefined,
      `field ${field} has text after its closing quote; quote the whole field and write a quote inside it as ""`);
  }
  return value;
}

/** NaN is charCodeAt past the end of the text. */
function isFieldEnd(code: number): boolean {
  return code === COMMA || code === LF || code === CR || Number.isNaN(code);
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || (code === CR && text.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}

function isBlank(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0].trim() === '';
}

function readHeader(record: CsvRecord, file: string): string[] {
  const columns = record.fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  columns.forEach((name, index) => {
    if (name === '') {
      throw csvError(file, record.line, undefined, `column ${index + 1} has an empty name; give every column a name`);
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw csvError(file, record.line, name,
        `the name is used by columns ${first + 1} and ${index + 1}; column names must be unique`);
    }
    seen.set(name, index);
  });
  return columns;
}

function raggedRow(record: CsvRecord, columns: readonly string[], file: string): CsvError {
  const given = isBlank(record) ? 0 : record.fields.length;
  const found = given === 0 ? 'a blank line' : `${given}`;
  return csvError(file, record.line, given < columns.length ? columns[given] : undefined,
    `expected ${columns.length} fields (one per header column) but found ${found}; ` +
      'give every row one value per column (blank lines may only end the file)');
}

/** A finite number that also fits a float32, which is how features are stored. */
function readNumber(field: string, file: string, line: number, column: string): number {
  const text = field.trim();
  if (text === '') throw csvError(file, line, column, 'the cell is empty (missing value); fill it in or remove the row');
  if (DECIMAL.test(text)) {
    const value = Number(text);
    if (Number.isFinite(Math.fround(value))) return value;
  } else if (!SPELLED_NON_FINITE.test(text)) {
    throw csvError(file, line, column, `${quoted(text)} is not a number; every column must hold numbers`);
  }
  throw csvError(file, line, column,
    `${quoted(text)} is not a finite number (float32 holds magnitudes up to 3.4e38); replace it with a finite value`);
}

function classLabel(value: number, field: string, file: string, line: number, target: string): number {
  if (Number.isInteger(value) && value >= 0 && value <= INT32_MAX) return value;
  throw csvError(file, line, target,
    `${quoted(field.trim())} is not a class label; the target column must hold non-negative integers (0, 1, 2, …)`);
}

function quoted(text: string): string {
  return JSON.stringify(text.length > QUOTED_TEXT_LIMIT ? `${text.slice(0, QUOTED_TEXT_LIMIT)}…` : text);
}

function csvError(file: string, line: number, column: string | undefined, problem: string): CsvError {
  const place = column === undefined ? `${file}, line ${line}` : `${file}, line ${line}, column "${column}"`;
  return new CsvError(`${place}: ${problem}`, file, line, column);
}
