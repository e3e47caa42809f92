import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StandardScaler } from '../data/scaler';
import { BundleError } from '../errors';
import type { Module } from '../nn/module';
import { checkModelFits, outputCount, sha256Hex } from './bundle';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  MANIFEST_FILE,
  parseManifest,
  WEIGHTS_FILE,
  type Manifest,
  type Task,
} from './format';
import { encodeSafetensors } from './safetensors';

export interface SaveOptions {
  model: Module;
  /** Default: the folder's name. */
  name?: string;
  /** Default: 'tabular-classification'. */
  task?: Task;
  /** Input columns, in the order the model takes them. */
  features: readonly string[];
  /** Class names by output index. Default: "0" … "C-1" for a classifier with C outputs. */
  labels?: readonly string[];
  /** The scaler fitted on the training split; null or absent when features go in unscaled. */
  scaler?: StandardScaler | null;
  metrics?: Record<string, unknown>;
  training?: Manifest['training'];
  /** Image channels the model expects (image tasks). */
  channels?: number;
}

/**
 * Writes `options.model` as a bundle folder `dir` (model.safetensors with its PyTorch-keyed state dict, model.json
 * with the manifest) and returns the manifest. Both files go to a fresh temporary sibling folder that is then
 * renamed into place (a previous bundle is renamed aside first and removed after), so `dir` never holds half a
 * bundle; on failure the temporary folder is removed and the previous bundle kept. Throws BundleError if the
 * options do not make a valid bundle, or if `dir` exists but is neither empty nor a bundle (a model.json in it),
 * so that no unrelated folder is replaced.
 */
export async function save(dir: string, options: SaveOptions): Promise<Manifest> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const folder = path.basename(target);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(path.join(parent, `.${folder}.tmp-`));
  try {
    await chmod(temp, 0o755); // mkdtemp makes it private; a bundle folder is read by servers and build tools
    // PyTorch's save_file writes this metadata, and Hugging Face loaders check it.
    const weights = encodeSafetensors(options.model.stateDict(), { format: 'pt' });
    const manifest = await describeBundle(folder, options, weights);
    await writeFile(path.join(temp, WEIGHTS_FILE), weights, { flush: true });
    await writeFile(path.join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
    await replaceFolder(target, temp);
    return manifest;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function describeBundle(folder: string, options: SaveOptions, weights: Uint8Array): Promise<Manifest> {
  const { model, features, scaler, channels } = options;
  const task = options.task ?? 'tabular-classification';
  const labels = options.labels ?? defaultLabels(task, model, features.length);
  const manifest = parseManifest({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    name: options.name ?? folder,
    task,
    architecture: model.spec(),
    preprocess: { features: [...features], scaler: scaler ? scaler.toJSON() : null, channels },
    labels: [...labels],
    weights: { file: WEIGHTS_FILE, sha256: await sha256Hex(weights), bytes: weights.length },
    metrics: options.metrics ?? {},
    training: options.training ?? { config: {} },
    created: new Date().toISOString(),
  });
  checkModelFits(manifest, model);
  return manifest;
}

function defaultLabels(task: Task, model: Module, width: number): string[] {
  if (task !== 'tabular-classification') return [];
  return Array.from({ length: outputCount(model, width) }, (_, i) => String(i));
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
