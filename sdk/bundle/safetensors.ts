import * as tf from '@tensorflow/tfjs-core';
import { BundleError } from '../errors';
import { checkNesting } from './nesting';
import { LITTLE_ENDIAN } from '../endian';
import { bfloat16ToFloat, floatToHalf, halfToFloat } from '../half-float';

/**
 * The safetensors dtypes edgeml reads, listed in the order of the reference implementation's `Dtype` enum
 * (increasing alignment); the encoder lays tensors out in the reverse of this order, as the reference does.
 */
const DTYPES = ['BOOL', 'U8', 'F16', 'BF16', 'I32', 'F32', 'F64', 'I64'] as const;

export type SafetensorsDtype = (typeof DTYPES)[number];

interface Decoding {
  readonly bytes: number;
  readonly tfjs: 'float32' | 'int32';
  readonly read: (view: DataView, at: number) => number;
}

const DECODINGS: Record<SafetensorsDtype, Decoding> = {
  BOOL: { bytes: 1, tfjs: 'int32', read: (view, at) => view.getUint8(at) },
  U8: { bytes: 1, tfjs: 'int32', read: (view, at) => view.getUint8(at) },
  F16: { bytes: 2, tfjs: 'float32', read: (view, at) => halfToFloat(view.getUint16(at, true)) },
  BF16: { bytes: 2, tfjs: 'float32', read: (view, at) => bfloat16ToFloat(view.getUint16(at, true)) },
  I32: { bytes: 4, tfjs: 'int32', read: (view, at) => view.getInt32(at, true) },
  F32: { bytes: 4, tfjs: 'float32', read: (view, at) => view.getFloat32(at, true) },
  F64: { bytes: 8, tfjs: 'float32', read: (view, at) => view.getFloat64(at, true) },
  // Values beyond 2^53 lose precision here, but those are already far outside int32 and get rejected.
  I64: { bytes: 8, tfjs: 'int32', read: (view, at) => Number(view.getBigInt64(at, true)) },
};

type EncodedDtype = 'F32' | 'F16' | 'I32' | 'I64';

/** How float32 tensors are stored: 'float16' halves the file (values rounded to nearest, ties to even). */
export type WeightsDtype = 'float32' | 'float16';

const ENCODINGS: Record<EncodedDtype, { bytes: number; write: (view: DataView, at: number, value: number) => void }> = {
  F32: { bytes: 4, write: (view, at, value) => view.setFloat32(at, value, true) },
  F16: { bytes: 2, write: (view, at, value) => view.setUint16(at, floatToHalf(value), true) },
  I32: { bytes: 4, write: (view, at, value) => view.setInt32(at, value, true) },
  I64: { bytes: 8, write: (view, at, value) => view.setBigInt64(at, BigInt(value), true) },
};

/** The reference implementation rejects larger headers; so does edgeml, before reading one. */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as the file stores it: raw little-endian bytes, row-major. */
export interface RawTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface SafetensorsContents {
  readonly tensors: Record<string, RawTensor>;
  readonly metadata: Record<string, string>;
}

/**
 * Serialises `tensors` to safetensors bytes as `safetensors.torch.save_file` does: float32 tensors as F32 (F16 with
 * `dtype` 'float16'); int32 tensors as I64 when the key ends with `num_batches_tracked` (PyTorch stores that counter
 * as int64, and `load_state_dict` would refuse an I32 one), else as I32. Other tfjs dtypes raise a BundleError.
 */
export function encodeSafetensors(
  tensors: Record<string, tf.Tensor>,
  metadata?: Record<string, string>,
  dtype: WeightsDtype = 'float32',
): Uint8Array {
  const raw: Record<string, RawTensor> = Object.create(null);
  for (const [name, tensor] of Object.entries(tensors)) raw[name] = toRaw(name, tensor, dtype);
  return packSafetensors(raw, metadata);
}

/**
 * Reads safetensors bytes into tfjs tensors, owned by the caller: F32 as float32; F64, F16 and BF16 converted to
 * float32; I32 as int32; I64 as int32 (a BundleError if a value does not fit); BOOL and U8 as int32. Any malformed
 * or unsupported content raises a BundleError naming it, before any tensor is made.
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, tf.Tensor> {
  return decodeTensors(unpackSafetensors(bytes).tensors);
}

/** The tensors of an unpacked file (unpackSafetensors), converted as decodeSafetensors does. */
export function decodeTensors(raw: Record<string, RawTensor>): Record<string, tf.Tensor> {
  // Convert everything first, so a bad value fails the call before any tensor exists to leak.
  const converted = Object.entries(raw).map(([name, tensor]) => [name, tensor.shape, toValues(name, tensor)] as const);
  const tensors: Record<string, tf.Tensor> = Object.create(null);
  for (const [name, shape, values] of converted) tensors[name] = tf.tensor(values, [...shape]);
  return tensors;
}

/**
 * Lays raw tensors out in the safetensors format, byte for byte as the reference implementation: the u64 LE header
 * length, the compact JSON header (`__metadata__` first, then the tensors in data order) padded with spaces to a
 * multiple of 8, then the data, sorted by descending dtype and then by name. Throws BundleError if a tensor's byte
 * length does not match its shape and dtype.
 */
export function packSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  if (Object.hasOwn(tensors, '__metadata__')) {
    throw new BundleError('"__metadata__" is reserved in safetensors headers and cannot name a tensor');
  }
  const names = Object.keys(tensors).sort(
    (a, b) => DTYPES.indexOf(tensors[b].dtype) - DTYPES.indexOf(tensors[a].dtype) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    const expected = byteLength(dtype, shape);
    if (data.length !== expected) {
      throw new BundleError(`tensor "${name}": ${dtype} [${shape}] needs ${expected} bytes, got ${data.length}`, {
        tensor: name,
      });
    }
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length] };
    offset += data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const name of names) {
    out.set(tensors[name].data, position);
    position += tensors[name].data.length;
  }
  return out;
}

/**
 * Parses and validates safetensors bytes as the reference implementation does, without copying tensor data (each
 * RawTensor views `bytes`). The tensors are returned in data order. Throws BundleError when the header length is
 * out of range, the header is not a UTF-8 JSON object, an entry lacks dtype, shape or data_offsets, a dtype is not
 * one edgeml reads, or the tensors do not cover the data section exactly, contiguously and at their stated sizes.
 */
export function unpackSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) {
    throw new BundleError(`safetensors file is ${bytes.length} bytes, too short for its 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES)) {
    throw new BundleError(`safetensors header claims ${claimed} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const headerLength = Number(claimed);
  if (8 + headerLength > bytes.length) {
    throw new BundleError(
      `safetensors header claims ${headerLength} bytes but the file has only ${bytes.length - 8} ` +
        'after the length field (truncated?)',
    );
  }
  const header = parseHeader(bytes.subarray(8, 8 + headerLength));
  const data = bytes.subarray(8 + headerLength);
  const { __metadata__: metadata, ...entries } = header;
  const located = Object.entries(entries)
    .map(([name, entry]) => ({ name, ...readEntry(name, entry) }))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  const tensors: Record<string, RawTensor> = Object.create(null);
  let covered = 0;
  for (const { name, dtype, shape, begin, end } of located) {
    if (end > data.length) {
      throw new BundleError(
        `tensor "${name}": data_offsets [${begin}, ${end}] go beyond the ${data.length}-byte data section (truncated?)`,
        { tensor: name },
      );
    }
    if (begin !== covered) {
      const problem = begin < covered ? 'overlaps the previous tensor' : 'leaves a gap after the previous tensor';
      throw new BundleError(`tensor "${name}": data_offsets [${begin}, ${end}] ${problem}, which ends at ${covered}`, {
        tensor: name,
      });
    }
    const expected = byteLength(dtype, shape);
    if (end - begin !== expected) {
      throw new BundleError(
        `tensor "${name}": ${dtype} [${shape}] needs ${expected} bytes ` +
          `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
        { tensor: name },
      );
    }
    tensors[name] = { dtype, shape, data: data.subarray(begin, end) };
    covered = end;
  }
  if (covered !== data.length) {
    throw new BundleError(`safetensors data section is ${data.length} bytes but its tensors cover only ${covered}`);
  }
  return { tensors, metadata: readMetadata(metadata) };
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new BundleError('safetensors header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new BundleError(`safetensors header is not valid JSON: ${(error as Error).message}`);
  }
  // A header is three levels deep ({name: {shape: [...]}}); deeper ones would overflow brief()'s JSON.stringify.
  checkNesting(header, 8, 'safetensors header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new BundleError(`safetensors header must be a JSON object, got ${brief(header)}`);
  }
  return header as Record<string, unknown>;
}

interface HeaderEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function readEntry(name: string, entry: unknown): HeaderEntry {
  const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = fields;
  if (typeof dtype !== 'string') {
    throw new BundleError(`tensor "${name}": dtype must be a string such as "F32", got ${brief(dtype)}`, {
      tensor: name,
    });
  }
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new BundleError(`tensor "${name}" has unsupported dtype "${dtype}"; edgeml reads ${DTYPES.join(', ')}`, {
      tensor: name,
      dtype,
    });
  }
  if (!isIndexList(shape)) {
    throw new BundleError(`tensor "${name}": shape must be a list of non-negative integers, got ${brief(shape)}`, {
      tensor: name,
    });
  }
  if (!isIndexList(offsets) || offsets.length !== 2 || offsets[1] < offsets[0]) {
    throw new BundleError(
      `tensor "${name}": data_offsets must be a pair [begin, end] of byte offsets with begin ≤ end, ` +
        `got ${brief(offsets)}`,
      { tensor: name },
    );
  }
  return { dtype: dtype as SafetensorsDtype, shape, begin: offsets[0], end: offsets[1] };
}

function readMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  const valid =
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    Object.values(metadata).every((value) => typeof value === 'string');
  if (!valid) throw new BundleError('safetensors __metadata__ must be an object of strings');
  return metadata as Record<string, string>;
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n) && n >= 0);
}

/** Products of huge dimensions lose precision here, but only when they already exceed any real byte count. */
function byteLength(dtype: SafetensorsDtype, shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, DECODINGS[dtype].bytes);
}

function toRaw(name: string, tensor: tf.Tensor, floats: WeightsDtype): RawTensor {
  const dtype = encodedDtype(name, tensor, floats);
  const { bytes, write } = ENCODINGS[dtype];
  const values = tensor.dataSync() as Float32Array | Int32Array;
  const data = new Uint8Array(values.length * bytes);
  const view = new DataView(data.buffer);
  values.forEach((value, i) => write(view, i * bytes, value));
  return { dtype, shape: [...tensor.shape], data };
}

function encodedDtype(name: string, tensor: tf.Tensor, floats: WeightsDtype): EncodedDtype {
  if (tensor.dtype === 'float32') return floats === 'float16' ? 'F16' : 'F32';
  if (tensor.dtype === 'int32') return name.endsWith('num_batches_tracked') ? 'I64' : 'I32';
  throw new BundleError(`tensor "${name}" is ${tensor.dtype}; safetensors encoding supports float32 and int32`, {
    tensor: name,
  });
}

function toValues(name: string, tensor: RawTensor): Float32Array | Int32Array {
  const platform = platformConversion(tensor);
  if (platform !== undefined) return platform;
  const { dtype, data } = tensor;
  const { bytes, tfjs, read } = DECODINGS[dtype];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = tfjs === 'float32' ? new Float32Array(data.length / bytes) : new Int32Array(data.length / bytes);
  for (let i = 0; i < out.length; i++) {
    const value = read(view, i * bytes);
    if (tfjs === 'int32' && value !== (value | 0)) {
      throw new BundleError(`tensor "${name}" holds the ${dtype} value ${value}, which does not fit in int32`, {
        tensor: name,
      });
    }
    out[i] = value;
  }
  return out;
}

/** The runtime's own half-float array: workerd has it, Node 20 does not. */
const Float16 = (globalThis as { Float16Array?: new (buffer: ArrayBuffer) => ArrayLike<number> }).Float16Array;

/**
 * F32, I32 and (where the runtime has Float16Array) F16 values converted by the runtime itself, from a copy of the
 * bytes (typed arrays need aligned offsets; the file's are not always), on little-endian machines, whose layout is
 * the file's; undefined for the element loop to do it. A bundle's first load converts every weight: element by
 * element that runs before the JIT has compiled anything (the digit CNN's float16 weights: ~2 ms of a Worker's
 * first digit request).
 */
function platformConversion({ dtype, data }: RawTensor): Float32Array | Int32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  if (dtype === 'F32') return new Float32Array(data.slice().buffer);
  if (dtype === 'I32') return new Int32Array(data.slice().buffer);
  if (dtype === 'F16' && Float16 !== undefined) return new Float32Array(new Float16(data.slice().buffer));
  return undefined;
}
