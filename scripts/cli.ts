import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EdgeMLError } from '../sdk/errors';

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

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(options: T) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
