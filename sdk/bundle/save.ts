import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from '../errors';
import { exportBundle, type ExportOptions } from './export';
import { MANIFEST_FILE, WEIGHTS_FILE, type Manifest } from './format';

export interface SaveOptions extends Omit<ExportOptions, 'name'> {
  /** Default: the folder's name. */
  name?: string;
}

/**
 * Writes `options.model` as a bundle folder `dir` (model.safetensors with its PyTorch-keyed state dict, model.json
 * with the manifest; see exportBundle, which traces the forward when `options.example` is given) and returns the
 * manifest. Both files go to a fresh temporary sibling folder that is then renamed into place (a previous bundle is
 * renamed aside first and removed after), so `dir` never holds half a bundle; on failure the temporary folder is
 * removed and the previous bundle kept. Throws TraceError for a forward that cannot be exported, BundleError if the
 * options do not make a valid bundle, or if `dir` exists but is neither empty nor a bundle (a model.json in it), so
 * that no unrelated folder is replaced.
 */
export async function save(dir: string, options: SaveOptions): Promise<Manifest> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const folder = path.basename(target);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${folder}.tmp-`));
  try {
    await chmod(temp, 0o755); // mkdtemp makes it private; a bundle folder is read by servers and build tools
    const { manifest, weights } = await exportBundle({ ...options, name: options.name ?? folder });
    await writeFile(path.join(temp, WEIGHTS_FILE), weights, { flush: true });
    await writeFile(path.join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
    await replaceFolder(target, temp);
    return manifest;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Swaps `temp` in as `target`, keeping the previous `target` until the new one is in place. */
async function replaceFolder(target: string, temp: string): Promise<void> {
  const previous = `${temp}.previous`;
  if (!(await moveAsideIfBundle(target, previous))) {
    await rename(temp, target);
    return;
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(previous, target);
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}

/** Renames an existing bundle (or empty folder) at `target` to `aside`; false if there is nothing at `target`. */
async function moveAsideIfBundle(target: string, aside: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') {
      throw new BundleError(`refusing to replace ${target}: it is a file, not a bundle folder`, { path: target });
    }
    throw error;
  }
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new BundleError(`refusing to replace ${target}: it is a folder with other content, not an edgeml bundle`, {
      path: target,
    });
  }
  await rename(target, aside);
  return true;
}
