import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { TorchFileError } from '../../../sdk/errors';
import { deserialize } from '../../../sdk/torch/index';
import { readZip } from '../../../sdk/torch/zip-read';
import { writeZip } from '../../../sdk/torch/zip-write';
import { archive, disposeAll, expectTorchError, float32Bytes, pthFile, tensorPickle } from './helpers';

beforeAll(ready);

/** The offset of the central directory header of `name` in the zip `bytes`. */
function centralHeaderOf(bytes: Uint8Array, name: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 46 < bytes.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50 || view.getUint16(at + 28, true) !== encoded.length) continue;
    if (encoded.every((byte, i) => bytes[at + 46 + i] === byte)) return at;
  }
  throw new Error(`no central header for ${name}`);
}

describe('the zip container', () => {
  it('detects every truncation of a PyTorch file as a TorchFileError, never a wrong result', () => {
    const whole = pthFile('mlp.pth');
    for (let length = 0; length < whole.length; length += length < whole.length - 300 ? 13 : 1) {
      let caught: unknown;
      try {
        disposeAll(deserialize(whole.subarray(0, length)));
      } catch (error) {
        caught = error;
      }
      expect(caught, `cut at ${length}`).toBeInstanceOf(TorchFileError);
    }
  });

  it('says a file cut short is truncated, and that other bytes are not a zip', async () => {
    const whole = pthFile('mlp.pth');
    const cut = whole.subarray(0, whole.length - 30);
    await expectTorchError(() => deserialize(cut), 'corrupt_torch_file', 'truncated');
    const text = new TextEncoder().encode('hello, world');
    await expectTorchError(() => deserialize(text), 'corrupt_torch_file', 'not a zip');
    await expectTorchError(() => deserialize(new Uint8Array()), 'corrupt_torch_file', 'not a zip');
  });

  it('detects a damaged storage record by its CRC-32, naming the entry', async () => {
    const bytes = pthFile('mlp.pth').slice();
    const records = readZip(bytes);
    const record = records.get('mlp/data/0')!;
    bytes[record.byteOffset + 5] ^= 0x01;
    await expectTorchError(() => deserialize(bytes), 'corrupt_torch_file', '"mlp/data/0"', 'CRC-32');
  });

  it('refuses a compressed entry with what to do about it', async () => {
    const bytes = pthFile('mlp.pth').slice();
    new DataView(bytes.buffer).setUint16(centralHeaderOf(bytes, 'mlp/data/1') + 10, 8, true);
    await expectTorchError(() => deserialize(bytes), 'unsupported_torch_file', '"mlp/data/1"', 'compressed', 'zip -0');
  });

  it('reads zip64 sizes from the extra field when the central header defers to it', () => {
    const data = float32Bytes([1, 2, 3]);
    const plain = writeZip([['a/x', data]]);
    // Rebuild the central header of a/x with 0xFFFFFFFF sizes and a zip64 extra field holding the real ones.
    const at = centralHeaderOf(plain, 'a/x');
    const extra = new Uint8Array(4 + 16);
    const extraView = new DataView(extra.buffer);
    extraView.setUint16(0, 0x0001, true);
    extraView.setUint16(2, 16, true);
    extraView.setBigUint64(4, 12n, true);
    extraView.setBigUint64(12, 12n, true);
    const header = plain.slice(at, at + 46 + 3);
    const headerView = new DataView(header.buffer);
    headerView.setUint32(20, 0xffffffff, true);
    headerView.setUint32(24, 0xffffffff, true);
    headerView.setUint16(30, extra.length, true);
    const tail = plain.slice(at + 49);
    const rebuilt = new Uint8Array(at + header.length + extra.length + tail.length);
    rebuilt.set(plain.subarray(0, at));
    rebuilt.set(header, at);
    rebuilt.set(extra, at + header.length);
    rebuilt.set(tail, at + header.length + extra.length);
    // The end records follow the directory: fix their directory size and the locator's record offset.
    const view = new DataView(rebuilt.buffer);
    const end = rebuilt.length - 22;
    const zip64End = end - 20 - 56;
    view.setUint32(end + 12, 49 + 20, true);
    view.setBigUint64(zip64End + 40, 69n, true);
    view.setBigUint64(end - 20 + 8, BigInt(zip64End), true);
    expect(Array.from(readZip(rebuilt).get('a/x')!)).toEqual(Array.from(data));
  });
});

describe('storage records and views', () => {
  it('gathers a non-contiguous view with an offset from its storage', () => {
    const pickle = tensorPickle('w', { numel: 6, offset: 1, shape: [2, 2], stride: [1, 2] });
    const dict = deserialize(archive(pickle, { 'data/0': float32Bytes([0, 1, 2, 3, 4, 5]) }));
    expect(Array.from(dict.w.dataSync())).toEqual([1, 3, 2, 4]);
    disposeAll(dict);
  });

  it('reads big-endian storages when the byteorder record says so', () => {
    const bigEndian = new Uint8Array(8);
    new DataView(bigEndian.buffer).setFloat32(0, 1.5, false);
    new DataView(bigEndian.buffer).setFloat32(4, -2, false);
    const pickle = tensorPickle('w', { numel: 2, shape: [2], stride: [1] });
    const dict = deserialize(archive(pickle, { byteorder: new TextEncoder().encode('big'), 'data/0': bigEndian }));
    expect(Array.from(dict.w.dataSync())).toEqual([1.5, -2]);
    disposeAll(dict);
  });

  it('names a storage record missing from the zip', async () => {
    const pickle = tensorPickle('w', { numel: 2, shape: [2], stride: [1] });
    const missing = archive(pickle);
    await expectTorchError(() => deserialize(missing), 'corrupt_torch_file', 'tensor "w"', 'archive/data/0', 'missing');
  });

  it('refuses a record whose size does not match its element count', async () => {
    const pickle = tensorPickle('w', { numel: 3, shape: [3], stride: [1] });
    await expectTorchError(
      () => deserialize(archive(pickle, { 'data/0': float32Bytes([1, 2]) })),
      'corrupt_torch_file',
      'holds 8 bytes',
      'need 12',
    );
  });

  it('refuses a stride-0 view of billions of elements before allocating them', async () => {
    const pickle = tensorPickle('w', { numel: 1, shape: [200, 200, 200, 200], stride: [0, 0, 0, 0] });
    await expectTorchError(
      () => deserialize(archive(pickle, { 'data/0': float32Bytes([1]) })),
      'unsupported_torch_file',
      'tensor "w" has 1600000000 elements',
    );
  });

  it('refuses a view reaching past its storage', async () => {
    const pickle = tensorPickle('w', { numel: 4, offset: 1, shape: [2, 2], stride: [2, 1] });
    await expectTorchError(
      () => deserialize(archive(pickle, { 'data/0': float32Bytes([1, 2, 3, 4]) })),
      'corrupt_torch_file',
      'tensor "w"',
      'reaches element 4 of a storage of 4',
    );
  });
});
