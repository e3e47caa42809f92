import { TorchFileError } from '../errors';
import { CODECS, type TfjsDtype, type TorchDtype } from './dtype';
import type { StorageRef, TensorRef } from './globals';

/** The most elements edgeml copies out of a view with more elements than its storage (an expanded one). */
const MAX_EXPANDED = 2 ** 24;

/** A tensor's elements, row-major, in the typed array of the tfjs dtype its storage reads into. */
export interface TensorValues {
  readonly dtype: TfjsDtype;
  readonly values: Float32Array | Int32Array | Uint8Array;
}

/**
 * The elements of the tensor `key`, the view `ref` of its storage, read from the archive's `records` (its
 * storage is `<top>/data/<storage key>`, in `littleEndian` byte order). Throws TorchFileError, naming `key`:
 * `corrupt_torch_file` when the record is missing, its size is not the storage's element count times the element
 * size, or the view reaches past the storage; `unsupported_torch_file` for a dtype edgeml lacks, an integer
 * outside int32, or an expanded view (more elements than its storage) beyond 2^24 elements.
 */
export function readView(
  key: string,
  ref: TensorRef,
  records: ReadonlyMap<string, Uint8Array>,
  top: string,
  littleEndian: boolean,
): TensorValues {
  const dtype = dtypeOf(key, ref.storage);
  const codec = CODECS[dtype];
  const record = storageRecord(key, ref.storage, records, `${top}/data/${ref.storage.key}`, codec.itemSize);
  const { shape, stride, offset } = ref;
  const size = shape.reduce((product, n) => product * n, 1);
  if (size > ref.storage.numel && size > MAX_EXPANDED) {
    // Only overlapping strides (expand's 0) give a view more elements than its storage, which the file's size
    // bounds; copying them out is what needs bounding, or a small file could ask for gigabytes.
    throw new TorchFileError(
      'unsupported_torch_file',
      `tensor "${key}" has ${size} elements (size [${shape}], stride [${stride}]) over a storage of ` +
        `${ref.storage.numel}; edgeml copies views out, up to ${MAX_EXPANDED} elements for an expanded one: ` +
        'save t.contiguous() instead',
      { key },
    );
  }
  const last = offset + shape.reduce((sum, n, d) => sum + (n - 1) * stride[d], 0);
  if (size > 0 && last >= ref.storage.numel) {
    throw new TorchFileError(
      'corrupt_torch_file',
      `tensor "${key}": its view (offset ${offset}, size [${shape}], stride [${stride}]) reaches element ` +
        `${last} of a storage of ${ref.storage.numel}`,
      { key },
    );
  }
  const values = newArray(codec.tfjs, size);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let i = 0; i < size; i++) {
    const value = codec.read(view, at * codec.itemSize, littleEndian);
    if (codec.tfjs === 'int32' && value !== (value | 0)) throw intOverflow(key, dtype, value);
    values[i] = value;
    // Step the multi-index like an odometer, moving `at` by each dimension's stride.
    for (let d = shape.length - 1; d >= 0; d--) {
      at += stride[d];
      if (++index[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return { dtype: codec.tfjs, values };
}

function dtypeOf(key: string, storage: StorageRef): TorchDtype {
  const { dtype, qualname } = storage.type;
  if (dtype === undefined) {
    throw new TorchFileError(
      'unsupported_torch_file',
      `tensor "${key}" is stored as ${qualname}, a dtype edgeml cannot read; it reads float32, float64, float16, ` +
        'bfloat16, int64, int32, int16, int8, uint8 and bool: convert the tensor in PyTorch (e.g. t.float()) first',
      { key, storage: qualname },
    );
  }
  return dtype;
}

/** The record `name` holding `storage`, checked to hold exactly its `numel` elements. */
function storageRecord(
  key: string,
  storage: StorageRef,
  records: ReadonlyMap<string, Uint8Array>,
  name: string,
  itemSize: number,
): Uint8Array {
  const record = records.get(name);
  if (record === undefined) {
    throw new TorchFileError('corrupt_torch_file', `tensor "${key}": its storage record ${name} is missing`, {
      key,
      entry: name,
    });
  }
  if (record.length !== storage.numel * itemSize) {
    throw new TorchFileError(
      'corrupt_torch_file',
      `tensor "${key}": storage record ${name} holds ${record.length} bytes, but ${storage.numel} elements of ` +
        `${storage.type.qualname} need ${storage.numel * itemSize}`,
      { key, entry: name },
    );
  }
  return record;
}

function intOverflow(key: string, dtype: TorchDtype, value: number): TorchFileError {
  return new TorchFileError(
    'unsupported_torch_file',
    `tensor "${key}" holds the ${dtype} value ${value}, which does not fit in int32 (tfjs has no int64); edgeml ` +
      'reads integer tensors whose values lie in [-2^31, 2^31)',
    { key },
  );
}

function newArray(dtype: TfjsDtype, size: number): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'float32') return new Float32Array(size);
  return dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
}
