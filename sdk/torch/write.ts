import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { StateDict } from '../nn/module';
import { pickleStateDict, type PickledTensor } from './pickler';
import { writeZip } from './zip-write';

export interface SerializeOptions {
  /** The archive's top folder. PyTorch names it after the file (`phone` for phone.pth), `archive` for a buffer. */
  archiveName?: string;
}

/**
 * The bytes of a PyTorch file holding `stateDict`, as `torch.save(OrderedDict(state_dict), f)` writes them
 * (PyTorch 1.13's layout: `<archive>/data.pkl`, `<archive>/data/<n>` per tensor, `<archive>/version`), so that
 * PyTorch's `torch.load(f, weights_only=True)` returns an OrderedDict with the same keys, in order, shapes and
 * values. dtypes: float32 → torch.float32; bool → torch.bool; int32 → torch.int32, except keys ending in
 * `num_batches_tracked`, written as torch.int64 as PyTorch keeps that counter. Each tensor gets its own
 * contiguous storage. Throws ArgumentError, naming the key, for a disposed tensor or another dtype (complex64,
 * string).
 */
export function serialize(stateDict: StateDict, { archiveName = 'archive' }: SerializeOptions = {}): Uint8Array {
  const tensors: PickledTensor[] = [];
  const storages: [string, Uint8Array][] = [];
  for (const [key, tensor] of Object.entries(stateDict)) {
    const storageKey = String(tensors.length);
    const [storage, data] = storageOf(key, tensor);
    tensors.push({ key, storage, storageKey, shape: tensor.shape });
    storages.push([storageKey, data]);
  }
  // PyTorch writes the storage records sorted by key as strings (0, 1, 10, 11, 2, …).
  storages.sort(([a], [b]) => (a < b ? -1 : 1));
  return writeZip([
    [`${archiveName}/data.pkl`, pickleStateDict(tensors)],
    ...storages.map(([storageKey, data]): [string, Uint8Array] => [`${archiveName}/data/${storageKey}`, data]),
    [`${archiveName}/version`, new TextEncoder().encode('3\n')],
  ]);
}

/** The storage class and little-endian bytes of `tensor`. */
function storageOf(key: string, tensor: tf.Tensor): [string, Uint8Array] {
  if (tensor.isDisposed) throw new ArgumentError(`tensor "${key}" is disposed; save it before disposing it`, { key });
  const { dtype } = tensor;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ArgumentError(`tensor "${key}" is ${dtype}; torch.save writes float32, int32 and bool tensors`, { key });
  }
  const values = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  if (dtype === 'bool') return ['BoolStorage', Uint8Array.from(values, (value) => (value ? 1 : 0))];
  if (dtype === 'float32') {
    return ['FloatStorage', encode(values, 4, (view, at, value) => view.setFloat32(at, value, true))];
  }
  if (!key.endsWith('num_batches_tracked')) {
    return ['IntStorage', encode(values, 4, (view, at, value) => view.setInt32(at, value, true))];
  }
  return ['LongStorage', encode(values, 8, (view, at, value) => view.setBigInt64(at, BigInt(value), true))];
}

function encode(
  values: Float32Array | Int32Array | Uint8Array,
  itemSize: number,
  write: (view: DataView, at: number, value: number) => void,
): Uint8Array {
  const data = new Uint8Array(values.length * itemSize);
  const view = new DataView(data.buffer);
  values.forEach((value, i) => write(view, i * itemSize, value));
  return data;
}
