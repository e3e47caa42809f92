/** One tensor of a state dict as pickled: a contiguous view of its own storage record `data/<storageKey>`. */
export interface PickledTensor {
  readonly key: string;
  /** The storage class in `torch`, e.g. "FloatStorage". */
  readonly storage: string;
  readonly storageKey: string;
  readonly shape: readonly number[];
}

/**
 * The pickle (protocol 2) of an OrderedDict of tensors, byte for byte as PyTorch's torch.save pickles one with
 * CPython's pickler: `collections.OrderedDict()` then SETITEMS in batches of 1000, each value
 * `torch._utils._rebuild_tensor_v2((storage persistent id), 0, size, stride, False, OrderedDict())` with the
 * persistent id `('storage', torch.<X>Storage, storageKey, 'cpu', numel)`; every str, global and tuple is memoised
 * as CPython does (so a repeated str or global is a memo reference). Strides are the contiguous ones.
 */
export function pickleStateDict(tensors: readonly PickledTensor[]): Uint8Array {
  const out = new PickleWriter();
  out.bytes(0x80, 2); // PROTO 2
  out.global('collections', 'OrderedDict');
  out.bytes(0x29, 0x52); // EMPTY_TUPLE, REDUCE: OrderedDict()
  out.put();
  for (let start = 0; start < tensors.length; start += 1000) {
    const batch = tensors.slice(start, start + 1000);
    if (batch.length > 1) out.bytes(0x28); // MARK
    for (const tensor of batch) {
      out.string(tensor.key);
      writeTensor(out, tensor);
    }
    out.bytes(batch.length > 1 ? 0x75 : 0x73); // SETITEMS, or SETITEM for one
  }
  out.bytes(0x2e); // STOP
  return out.finish();
}

function writeTensor(out: PickleWriter, { storage, storageKey, shape }: PickledTensor): void {
  const numel = shape.reduce((product, n) => product * n, 1);
  out.global('torch._utils', '_rebuild_tensor_v2');
  out.bytes(0x28); // MARK: the arguments
  out.bytes(0x28); // MARK: the persistent id
  out.string('storage');
  out.global('torch', storage);
  out.string(storageKey);
  out.string('cpu');
  out.int(numel);
  out.bytes(0x74); // TUPLE
  out.put();
  out.bytes(0x51); // BINPERSID
  out.int(0); // storage offset
  out.tuple(shape);
  out.tuple(contiguousStrides(shape));
  out.bytes(0x89); // NEWFALSE: requires_grad
  out.global('collections', 'OrderedDict');
  out.bytes(0x29, 0x52); // OrderedDict(): no backward hooks
  out.put();
  out.bytes(0x74); // TUPLE
  out.put();
  out.bytes(0x52); // REDUCE
  out.put();
}

/** PyTorch's contiguous strides: a dimension of size 0 counts as 1 for the strides before it. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= Math.max(shape[d], 1);
  }
  return strides;
}

/** Pickle opcodes into a growing buffer, with CPython's memo numbering. */
class PickleWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;
  private readonly memo = new Map<string, number>();
  private nextMemo = 0;

  bytes(...values: number[]): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  /** BINPUT (LONG_BINPUT from 256 on) of the object just written, under the next memo index. */
  put(): number {
    const index = this.nextMemo++;
    if (index < 256) this.bytes(0x71, index);
    else this.bytes(0x72, ...le32(index));
    return index;
  }

  /** A str: BINUNICODE the first time, a memo reference after. */
  string(value: string): void {
    this.memoised(`str:${value}`, () => {
      const encoded = new TextEncoder().encode(value);
      this.bytes(0x58, ...le32(encoded.length));
      this.raw(encoded);
    });
  }

  /** A global: GLOBAL "module\nname\n" the first time, a memo reference after. */
  global(module: string, name: string): void {
    this.memoised(`global:${module}.${name}`, () => {
      this.bytes(0x63);
      this.raw(new TextEncoder().encode(`${module}\n${name}\n`));
    });
  }

  /** An int, in the shortest of BININT1, BININT2, BININT and LONG1, as CPython chooses. */
  int(value: number): void {
    if (value >= 0 && value <= 0xff) this.bytes(0x4b, value);
    else if (value >= 0 && value <= 0xffff) this.bytes(0x4d, value & 0xff, value >> 8);
    else if (value >= -0x80000000 && value <= 0x7fffffff) this.bytes(0x4a, ...le32(value));
    else this.bytes(0x8a, ...longBytes(BigInt(value)));
  }

  /** A tuple of ints: EMPTY_TUPLE (not memoised), TUPLE1–3, or MARK … TUPLE. */
  tuple(values: readonly number[]): void {
    if (values.length === 0) return this.bytes(0x29);
    if (values.length > 3) this.bytes(0x28);
    for (const value of values) this.int(value);
    this.bytes(values.length > 3 ? 0x74 : 0x84 + values.length);
    this.put();
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private memoised(id: string, write: () => void): void {
    const index = this.memo.get(id);
    if (index === undefined) {
      write();
      this.memo.set(id, this.put());
    } else if (index < 256) {
      this.bytes(0x68, index); // BINGET
    } else {
      this.bytes(0x6a, ...le32(index)); // LONG_BINGET
    }
  }

  private raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + count));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

function le32(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff];
}

/** LONG1's operand: a length byte, then the shortest little-endian two's complement of `value`. */
function longBytes(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.push(Number(rest & 0xffn));
    rest >>= 8n;
  } while (!(rest === 0n && bytes[bytes.length - 1] < 0x80) && !(rest === -1n && bytes[bytes.length - 1] >= 0x80));
  return [bytes.length, ...bytes];
}
