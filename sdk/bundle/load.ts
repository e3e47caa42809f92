import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from '../errors';
import { fromBytes, type Bundle } from './bundle';
import { MANIFEST_FILE, parseManifest } from './format';

/**
 * Loads the bundle folder `dir` (as written by save): reads model.json and the weights file it names, then checks
 * and builds the model as fromBytes does. Throws BundleError, prefixed with `dir`, for a missing folder or file,
 * a model.json that is not JSON, or anything fromBytes rejects.
 */
export async function load(dir: string): Promise<Bundle> {
  try {
    const json = parseJson(await readBundleFile(dir, MANIFEST_FILE), MANIFEST_FILE);
    const weights = await readBundleFile(dir, parseManifest(json).weights.file);
    return await fromBytes(json, weights);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    throw new BundleError(`bundle ${dir}: ${error.message}`, { ...error.details, path: dir });
  }
}

async function readBundleFile(dir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(path.join(dir, file));
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BundleError(await whyMissing(dir, file), { file });
    if (code === 'EISDIR') throw new BundleError(`${file} is a folder, not a file; the bundle needs the file itself`, { file });
    throw new BundleError(`${file} cannot be read (${message})`, { file });
  }
}

function parseJson(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new BundleError(`${file} is not valid JSON: ${(error as Error).message}`, { file });
  }
}

async function whyMissing(dir: string, file: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (info === null) return 'the folder does not exist';
  if (!info.isDirectory()) return 'it is a file, not a bundle folder';
  return `the folder has no ${file}`;
}
