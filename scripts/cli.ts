import { stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EdgeMLError } from '../sdk/index';

/** A command-line mistake: printed with the usage hint, exit status 2. */
export class UsageError extends Error {}

/**
 * Runs a CLI's main function: EdgeML and usage errors print one clear line (no stack) and set a non-zero exit
 * status; anything else is a bug and keeps its stack.
 */
export function runCli(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (error instanceof EdgeMLError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  });
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options' values; an unknown option is a UsageError that names the closest known one. */
export function parseCli<T extends Options>(options: T) {
  return parseCliWithPositionals(options, false).values;
}

export function parseCliWithPositionals<T extends Options>(options: T, allowPositionals = true) {
  try {
    return parseArgs({ options, strict: true, allowPositionals });
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(--?[^']+)'/.exec(message)?.[1] : undefined;
    if (unknown === undefined) throw new UsageError(message);
    const guess = closest(unknown.replace(/^-+/, '').split('=')[0], Object.keys(options));
    throw new UsageError(`unknown option ${unknown}${guess ? `; did you mean --${guess}?` : ''}`);
  }
}

/** The known name within two edits of `name` (or that it begins), if there is one. */
function closest(name: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((candidate) => ({ candidate, distance: candidate.startsWith(name) ? 1 : editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A numeric option: undefined when absent, else a finite number (an integer when asked), else a UsageError. */
export function numberOption(name: string, text: string | undefined, { integer = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${text}"`);
  }
  return value;
}

/**
 * Checks that `--flag file` names an existing file, not a folder (which readFile reports as a bare EISDIR), and
 * suggests the files of the wanted `extension` when it is a folder.
 */
export async function fileOption(flag: string, file: string, extension: string): Promise<string> {
  const found = await stat(file).catch(() => undefined);
  if (found === undefined) throw new UsageError(`--${flag} ${file}: no such file`);
  if (found.isDirectory()) {
    const inside = (await readdir(file)).filter((name) => name.endsWith(extension)).sort();
    const hint = inside.length > 0 ? `, such as ${path.join(file, inside[0])}` : ` (it has no ${extension} file)`;
    throw new UsageError(`--${flag} ${file} is a folder; name a ${extension} file in it${hint}`);
  }
  return file;
}

/** Checks that `--flag folder` names an existing bundle folder; a bundle's own model.json points to its folder. */
export async function bundleOption(flag: string, folder: string): Promise<string> {
  const found = await stat(folder).catch(() => undefined);
  if (found === undefined) throw new UsageError(`--${flag} ${folder}: no such folder`);
  if (!found.isDirectory()) {
    throw new UsageError(`--${flag} ${folder} is a file; name the bundle's folder (the one holding model.json), e.g. ${path.dirname(folder)}`);
  }
  return folder;
}
