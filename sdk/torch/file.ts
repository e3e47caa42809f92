import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TorchFileError } from '../errors';
import type { StateDict } from '../nn/module';
import { deserialize } from './read';
import { serialize } from './write';

/**
 * PyTorch's `torch.load` for state dicts: reads the file at `pathOrBytes` (or the bytes themselves) as
 * `deserialize` does and returns the state dict, ready for `module.loadStateDict`. Never runs anything from the
 * file. Throws TorchFileError as deserialize does, its message prefixed with the path; `torch_file_not_found`
 * when there is no file there.
 */
export async function load(pathOrBytes: string | Uint8Array): Promise<StateDict> {
  if (typeof pathOrBytes !== 'string') return deserialize(pathOrBytes);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(pathOrBytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new TorchFileError('torch_file_not_found', `${pathOrBytes}: no such file`, { path: pathOrBytes });
  }
  try {
    return deserialize(bytes);
  } catch (error) {
    if (!(error instanceof TorchFileError)) throw error;
    throw new TorchFileError(error.code, `${pathOrBytes}: ${error.message}`, {
      ...error.details,
      path: pathOrBytes,
    });
  }
}

/**
 * PyTorch's `torch.save(state_dict, path)`: writes `stateDict` to `file` as `serialize` does, with the archive
 * named after the file as PyTorch names it (`phone/…` for phone.pth). Creates missing parent folders. The bytes
 * go to a temporary sibling first, flushed, then renamed over `file`, so `file` is never left half-written (a
 * failed save leaves any previous file as it was). Throws ArgumentError as serialize does, before touching disk.
 */
export async function save(stateDict: StateDict, file: string): Promise<void> {
  const bytes = serialize(stateDict, { archiveName: archiveName(file) });
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temp, bytes, { flush: true });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The file's name without its last extension, as PyTorch's writer names the archive; "archive" if empty. */
function archiveName(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return (dot < 0 ? base : base.slice(0, dot)) || 'archive';
}
