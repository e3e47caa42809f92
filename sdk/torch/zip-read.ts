import { TorchFileError } from '../errors';
import { crc32 } from '../crc32';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
/** The fixed part of the end-of-central-directory record; a comment of up to 65535 bytes may follow it. */
const EOCD_SIZE = 22;

/**
 * The entries of the zip archive `bytes` by name, each a view of its data in `bytes` (no copy). Reads what
 * PyTorch's writer makes and what other zip tools make of it: stored (uncompressed) entries, data descriptors,
 * zip64 records. Each entry's CRC-32 is checked, except where the writer left it 0 (PyTorch ≥ 2.6 can skip
 * computing it). Throws TorchFileError: `corrupt_torch_file` when `bytes` is not a zip or is truncated or damaged
 * (the message says which), `unsupported_torch_file` for compressed or encrypted entries.
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = findCentralDirectory(bytes, view);
  const entries = new Map<string, Uint8Array>();
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    if (at + 46 > directory.end || view.getUint32(at, true) !== CENTRAL_HEADER) {
      throw corrupt(`central directory entry ${i} at byte ${at} is damaged`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directory.end) throw corrupt(`central directory entry ${i} runs past the directory's end`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (entries.has(name)) throw corrupt(`the zip holds "${name}" twice`, name);
    entries.set(name, entryData(bytes, view, at, name, directory.offset));
    at = next;
  }
  return entries;
}

interface CentralDirectory {
  readonly offset: number;
  readonly end: number;
  readonly count: number;
}

function findCentralDirectory(bytes: Uint8Array, view: DataView): CentralDirectory {
  const eocd = findEndRecord(view);
  if (eocd < 0) {
    const startsLikeZip = bytes.length >= 4 && view.getUint32(0, true) === LOCAL_HEADER;
    throw corrupt(
      startsLikeZip
        ? 'the zip has no end-of-central-directory record: the file is truncated (cut short while copying or ' +
            'still being written); write it again'
        : 'not a zip archive',
    );
  }
  let count = view.getUint16(eocd + 10, true);
  let size = view.getUint32(eocd + 12, true);
  let offset = view.getUint32(eocd + 16, true);
  let end = eocd;
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
    const record = safeNumber(view.getBigUint64(locator + 8, true));
    if (record + 56 > locator || view.getUint32(record, true) !== ZIP64_END) {
      throw corrupt('the zip64 end-of-central-directory record is missing or damaged (truncated file?)');
    }
    count = safeNumber(view.getBigUint64(record + 32, true));
    size = safeNumber(view.getBigUint64(record + 40, true));
    offset = safeNumber(view.getBigUint64(record + 48, true));
    end = record;
  }
  if (offset + size > end) {
    throw corrupt(
      `the central directory claims bytes ${offset}–${offset + size}, beyond its end record at ${end} ` +
        '(truncated or damaged file)',
    );
  }
  return { offset, end: offset + size, count };
}

/** The position of the end-of-central-directory record, searched backwards over a possible comment; or -1. */
function findEndRecord(view: DataView): number {
  const last = view.byteLength - EOCD_SIZE;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    // The record ends the file, after its comment: this rejects the signature bytes turning up inside data.
    const endsFile = at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength;
    if (endsFile && view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return -1;
}

/** The data of the entry whose central directory header is at `at`, checked against its local header and CRC. */
function entryData(bytes: Uint8Array, view: DataView, at: number, name: string, limit: number): Uint8Array {
  const flags = view.getUint16(at + 8, true);
  const method = view.getUint16(at + 10, true);
  const expectedCrc = view.getUint32(at + 16, true);
  const sizes = zip64Sizes(view, at, {
    compressed: view.getUint32(at + 20, true),
    uncompressed: view.getUint32(at + 24, true),
    offset: view.getUint32(at + 42, true),
  });
  if (flags & 1) throw unsupported(`zip entry "${name}" is encrypted`, name);
  if (method !== 0) {
    throw unsupported(
      `zip entry "${name}" is compressed (method ${method}); PyTorch stores entries uncompressed: ` +
        'save the file again with torch.save, or re-zip it without compression (zip -0)',
      name,
    );
  }
  if (sizes.compressed !== sizes.uncompressed) {
    const { compressed, uncompressed } = sizes;
    throw corrupt(`stored zip entry "${name}" is ${compressed} bytes packed but ${uncompressed} unpacked`, name);
  }
  const local = sizes.offset;
  if (local + 30 > limit || view.getUint32(local, true) !== LOCAL_HEADER) {
    throw corrupt(`the local header of zip entry "${name}" is missing or damaged`, name);
  }
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const end = start + sizes.compressed;
  if (end > limit) throw corrupt(`zip entry "${name}" runs past the end of its data (truncated or damaged file)`, name);
  const data = bytes.subarray(start, end);
  if (expectedCrc !== 0 && crc32(data) !== expectedCrc) {
    throw corrupt(`zip entry "${name}" fails its CRC-32 check: the file is damaged`, name);
  }
  return data;
}

interface EntrySizes {
  compressed: number;
  uncompressed: number;
  offset: number;
}

/** Replaces the 0xFFFFFFFF placeholders of a central header with the values of its zip64 extra field. */
function zip64Sizes(view: DataView, at: number, sizes: EntrySizes): EntrySizes {
  const fields = (['uncompressed', 'compressed', 'offset'] as const).filter((field) => sizes[field] === 0xffffffff);
  if (fields.length === 0) return sizes;
  let extra = at + 46 + view.getUint16(at + 28, true);
  const extraEnd = extra + view.getUint16(at + 30, true);
  while (extra + 4 <= extraEnd) {
    const id = view.getUint16(extra, true);
    const length = view.getUint16(extra + 2, true);
    if (id === ZIP64_EXTRA && length >= 8 * fields.length) {
      const result = { ...sizes };
      fields.forEach((field, i) => (result[field] = safeNumber(view.getBigUint64(extra + 4 + 8 * i, true))));
      return result;
    }
    extra += 4 + length;
  }
  throw corrupt(`central directory entry at byte ${at} lacks the zip64 sizes it refers to`);
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`the zip records an impossible size or offset ${value}`);
  return Number(value);
}

function corrupt(message: string, entry?: string): TorchFileError {
  return new TorchFileError('corrupt_torch_file', message, entry === undefined ? undefined : { entry });
}

function unsupported(message: string, entry: string): TorchFileError {
  return new TorchFileError('unsupported_torch_file', message, { entry });
}
