import * as tf from '@tensorflow/tfjs-core';
import { TorchFileError } from '../errors';
import type { StateDict } from '../nn/module';
import { stateDictHooks } from './globals';
import { unpickle } from './pickle';
import { stateDictEntries } from './state-dict';
import { readView } from './view';
import { readZip } from './zip-read';

/** The pickle that starts the legacy (PyTorch < 1.6) format: PROTO 2, then the magic number as a LONG1. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * Reads the bytes of a file written by PyTorch's `torch.save(model.state_dict(), f)` (the zip format, PyTorch ≥
 * 1.6) into a state dict: keys in the file's order, tensors owned by the caller. float32, float64, float16 and
 * bfloat16 tensors become float32 (tfjs has no float64: float64 values are rounded); int64, int32, int16, int8 and
 * uint8 become int32 (a value outside int32 is refused, naming its key); bool stays bool. Views (storage offsets,
 * any strides) and tensors sharing a storage come out as PyTorch shows them. Nothing from the file is run: the
 * pickle may name only the globals a state dict needs (see stateDictHooks).
 *
 * Throws TorchFileError, before any tensor is made: `corrupt_torch_file` (not a zip, truncated, damaged, a storage
 * record missing or of the wrong size, a view beyond its storage), `unsupported_torch_file` (the legacy format,
 * compressed entries, complex or quantised dtypes, int64 values beyond int32, huge expanded views),
 * `unsafe_torch_file` (a global outside the allowlist), `not_a_state_dict` (a whole pickled model, a TorchScript
 * archive, a checkpoint dict, a bare tensor, a dict with values that are not tensors).
 */
export function deserialize(bytes: Uint8Array): StateDict {
  const records = readZip(checkContainer(bytes));
  const top = topFolder(records);
  const part = `${top}/data.pkl`;
  const pickle = records.get(part);
  if (pickle === undefined) throw missingPickle(records, top);
  const littleEndian = byteOrder(records.get(`${top}/byteorder`));
  const entries = stateDictEntries(unpickle(pickle, stateDictHooks(part), part));
  // Read every tensor first, so a bad one fails the call before any tfjs tensor exists to leak.
  const read = entries.map(([key, ref]) => [key, ref.shape, readView(key, ref, records, top, littleEndian)] as const);
  const dict: StateDict = {};
  for (const [key, shape, { values, dtype }] of read) dict[key] = tf.tensor(values, [...shape], dtype);
  return dict;
}

/** `bytes` if it may be a zip; otherwise a TorchFileError naming what the file looks like. */
function checkContainer(bytes: Uint8Array): Uint8Array {
  if (LEGACY_MAGIC.every((byte, i) => bytes[i] === byte) || isTar(bytes)) {
    throw new TorchFileError(
      'unsupported_torch_file',
      'this is the legacy PyTorch file format (written before PyTorch 1.6, or with ' +
        '_use_new_zipfile_serialization=False); load it in PyTorch and save it again with ' +
        'torch.save(state_dict, path)',
    );
  }
  if (isSafetensors(bytes)) {
    throw new TorchFileError(
      'corrupt_torch_file',
      'this looks like a safetensors file, not a torch.save file; read it with bundle.decodeSafetensors',
    );
  }
  return bytes;
}

/** safetensors starts with its header's length (a u64 LE, far below 2^32), then the JSON header's "{". */
function isSafetensors(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[8] === 0x7b && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0;
}

/** The ancient tar-based format (PyTorch ≤ 0.3) has "ustar" at byte 257. */
function isTar(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

/** PyTorch archives keep every record under one top folder, named after the file when it was saved. */
function topFolder(records: Map<string, Uint8Array>): string {
  const first = records.keys().next();
  const top = first.done ? '' : first.value.split('/')[0];
  if (first.done || ![...records.keys()].every((name) => name.startsWith(`${top}/`))) {
    throw new TorchFileError(
      'corrupt_torch_file',
      'this zip is not a PyTorch file: PyTorch keeps all records under one top folder (archive/data.pkl, …)',
    );
  }
  return top;
}

function missingPickle(records: Map<string, Uint8Array>, top: string): TorchFileError {
  if (records.has(`${top}/constants.pkl`) || [...records.keys()].some((name) => name.startsWith(`${top}/code/`))) {
    return new TorchFileError(
      'not_a_state_dict',
      'this is a TorchScript archive (torch.jit.save), not a state dict; in PyTorch, save the weights with ' +
        'torch.save(model.state_dict(), path)',
    );
  }
  return new TorchFileError(
    'corrupt_torch_file',
    `this zip has no ${top}/data.pkl record, so it is not a torch.save file`,
  );
}

function byteOrder(record: Uint8Array | undefined): boolean {
  const order = record === undefined ? 'little' : new TextDecoder().decode(record).trim();
  if (order !== 'little' && order !== 'big') {
    throw new TorchFileError(
      'corrupt_torch_file',
      `the byteorder record says "${order}"; PyTorch writes "little" or "big"`,
    );
  }
  return order === 'little';
}
