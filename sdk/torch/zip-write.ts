import { ArgumentError } from '../errors';
import { crc32 } from '../crc32';

/** PyTorch aligns every record's data to 64 bytes so that it can be memory-mapped. */
const ALIGNMENT = 64;
const LOCAL_HEADER_SIZE = 30;
const DESCRIPTOR_SIZE = 16;
const CENTRAL_HEADER_SIZE = 46;
/** Zip64 end record (56) + zip64 locator (20) + end-of-central-directory record (22). */
const END_SIZE = 56 + 20 + 22;
/** Entry flags: bit 11, UTF-8 names; bit 3, sizes and CRC in a data descriptor after the data, which miniz
 *  leaves out (and the bit clear) for an empty entry. */
const flagsOf = (data: Uint8Array) => (data.length === 0 ? 0x0800 : 0x0808);
const descriptorSize = (data: Uint8Array) => (data.length === 0 ? 0 : DESCRIPTOR_SIZE);

/**
 * A zip archive of `records` (name, data), in order, laid out byte for byte as PyTorch's writer (miniz, in
 * caffe2/serialize/inline_container.cc) does: stored entries; a local header whose extra field "FB" pads the data
 * to a 64-byte boundary with 'Z's; sizes and CRC in a data descriptor (none for an empty entry); no timestamps;
 * then the central directory, a zip64 end record and locator, and the classic end record. Throws ArgumentError
 * beyond 4 GiB, which this layout (32-bit sizes in headers) cannot describe.
 */
export function writeZip(records: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const encoded = records.map(([name, data]) => ({ name: new TextEncoder().encode(name), data, crc: crc32(data) }));
  const offsets: number[] = [];
  let cursor = 0;
  const layout = encoded.map((entry) => {
    offsets.push(cursor);
    const padding = paddingAfter(cursor + LOCAL_HEADER_SIZE + entry.name.length + 4);
    cursor += LOCAL_HEADER_SIZE + entry.name.length + 4 + padding + entry.data.length + descriptorSize(entry.data);
    return padding;
  });
  const directoryOffset = cursor;
  const directorySize = encoded.reduce((sum, entry) => sum + CENTRAL_HEADER_SIZE + entry.name.length, 0);
  const total = directoryOffset + directorySize + END_SIZE;
  if (total > 0xffffffff) {
    throw new ArgumentError(`a PyTorch file of ${total} bytes is beyond the 4 GiB edgeml can write`);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  encoded.forEach(({ name, data, crc }, i) => {
    let at = offsets[i];
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 6, flagsOf(data), true);
    view.setUint16(at + 26, name.length, true);
    view.setUint16(at + 28, 4 + layout[i], true);
    out.set(name, at + LOCAL_HEADER_SIZE);
    at += LOCAL_HEADER_SIZE + name.length;
    out.set([0x46, 0x42, layout[i] & 0xff, layout[i] >> 8], at); // "FB", padding length
    out.fill(0x5a, at + 4, at + 4 + layout[i]); // 'Z'
    at += 4 + layout[i];
    out.set(data, at);
    at += data.length;
    if (data.length === 0) return;
    view.setUint32(at, 0x08074b50, true);
    view.setUint32(at + 4, crc, true);
    view.setUint32(at + 8, data.length, true);
    view.setUint32(at + 12, data.length, true);
  });
  let at = directoryOffset;
  encoded.forEach(({ name, data, crc }, i) => {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 8, flagsOf(data), true);
    view.setUint32(at + 16, crc, true);
    view.setUint32(at + 20, data.length, true);
    view.setUint32(at + 24, data.length, true);
    view.setUint16(at + 28, name.length, true);
    view.setUint32(at + 42, offsets[i], true);
    out.set(name, at + CENTRAL_HEADER_SIZE);
    at += CENTRAL_HEADER_SIZE + name.length;
  });
  writeEnd(view, at, encoded.length, directoryOffset, directorySize);
  return out;
}

/** Zero bytes or the few that bring `start` to the next multiple of ALIGNMENT. */
function paddingAfter(start: number): number {
  return (ALIGNMENT - (start % ALIGNMENT)) % ALIGNMENT;
}

function writeEnd(view: DataView, at: number, count: number, directoryOffset: number, directorySize: number): void {
  view.setUint32(at, 0x06064b50, true); // zip64 end of central directory
  view.setBigUint64(at + 4, 44n, true); // its size, not counting these first 12 bytes
  view.setUint16(at + 12, 0x031e, true); // made by: Unix, zip 3.0 (as miniz writes)
  view.setUint16(at + 14, 0x002d, true); // needs zip 4.5 (zip64)
  view.setBigUint64(at + 24, BigInt(count), true);
  view.setBigUint64(at + 32, BigInt(count), true);
  view.setBigUint64(at + 40, BigInt(directorySize), true);
  view.setBigUint64(at + 48, BigInt(directoryOffset), true);
  view.setUint32(at + 56, 0x07064b50, true); // zip64 locator
  view.setBigUint64(at + 64, BigInt(at), true);
  view.setUint32(at + 72, 1, true); // total number of disks
  const end = at + 76;
  view.setUint32(end, 0x06054b50, true); // end of central directory
  view.setUint16(end + 8, Math.min(count, 0xffff), true);
  view.setUint16(end + 10, Math.min(count, 0xffff), true);
  view.setUint32(end + 12, directorySize, true);
  view.setUint32(end + 16, directoryOffset, true);
}
