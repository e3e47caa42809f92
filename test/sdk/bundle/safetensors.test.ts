import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import {
  decodeSafetensors,
  encodeSafetensors,
  packSafetensors,
  unpackSafetensors,
} from '../../../sdk/bundle/safetensors';
import { BundleError } from '../../../sdk/errors';
import { BatchNorm1d } from '../../../sdk/nn/batchnorm';
import { Dropout } from '../../../sdk/nn/dropout';
import { Linear } from '../../../sdk/nn/linear';
import { ReLU } from '../../../sdk/nn/activation';
import { Sequential } from '../../../sdk/nn/sequential';
import { expectClose, fromFixture, torchFixture } from '../../helpers/fixtures';

beforeAll(ready);

const torchFile = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/torch/${name}`, import.meta.url)));

/** A safetensors file with `header` (JSON text or a value to stringify) and `dataBytes` zero bytes of data. */
function fileWith(header: unknown, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function expectBundleError(action: () => unknown, fragment: string): void {
  expect(action).toThrow(BundleError);
  expect(action).toThrow(fragment);
}

describe('safetensors encoding', () => {
  it('writes the same bytes as the reference implementation', () => {
    // Expected bytes from the reference crate's own tests (test_serialization, test_empty).
    const attention = tf.tensor3d([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    const expected = new Uint8Array(8 + 64 + 24);
    expected[0] = 64;
    expected.set(new TextEncoder().encode(header), 8);
    expected.set(bytesOf(new Float32Array([0, 1, 2, 3, 4, 5])), 72);
    expect(header.length).toBe(64);
    expect(encodeSafetensors({ 'attn.0': attention })).toEqual(expected);
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMetadata = new TextDecoder().decode(encodeSafetensors({}, { framework: 'pt' }).subarray(8));
    expect(withMetadata).toBe('{"__metadata__":{"framework":"pt"}}     ');
    attention.dispose();
  });

  it('round-trips F32, I32 and I64 (num_batches_tracked) tensors with their metadata', () => {
    const tensors = {
      'layer.weight': tf.tensor2d([1.5, -2.25, 3e-8, 1e30, -0, 7], [2, 3]),
      'layer.index': tf.tensor1d([-(2 ** 31), -1, 0, 2 ** 31 - 1], 'int32'),
      'bn.num_batches_tracked': tf.scalar(7, 'int32'),
    };
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const { tensors: raw, metadata } = unpackSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    // Descending dtype, then name, as the reference lays data out.
    expect(Object.keys(raw)).toEqual(['bn.num_batches_tracked', 'layer.weight', 'layer.index']);
    expect(Object.values(raw).map((t) => t.dtype)).toEqual(['I64', 'F32', 'I32']);
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const decoded = decodeSafetensors(bytes);
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(decoded[name].dtype).toBe(tensor.dtype);
      expect(decoded[name].shape).toEqual(tensor.shape);
      expect(Array.from(decoded[name].dataSync())).toEqual(Array.from(tensor.dataSync()));
    }
    tf.dispose([...Object.values(tensors), ...Object.values(decoded)]);
  });

  it('refuses tfjs dtypes safetensors encoding does not cover', () => {
    const mask = tf.tensor1d([true, false], 'bool');
    expectBundleError(() => encodeSafetensors({ mask }), 'tensor "mask" is bool');
    mask.dispose();
  });
});

describe('safetensors decoding', () => {
  it('widens F64, F16 and BF16 to float32 and BOOL, U8 and I64 to int32', () => {
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]);
    const bf16 = new Uint16Array([0x3f80, 0xc060, 0x0000]);
    const file = packSafetensors({
      f64: { dtype: 'F64', shape: [3], data: bytesOf(new Float64Array([0.1, -1e10, 2.5])) },
      f16: { dtype: 'F16', shape: [2, 3], data: bytesOf(f16) },
      bf16: { dtype: 'BF16', shape: [3], data: bytesOf(bf16) },
      flags: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
      pixels: { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) },
      counts: { dtype: 'I64', shape: [3], data: bytesOf(new BigInt64Array([-(2n ** 31n), 12n, 2n ** 31n - 1n])) },
    });
    const t = decodeSafetensors(file);
    expect(t.f64.dtype).toBe('float32');
    expect(Array.from(t.f64.dataSync())).toEqual([Math.fround(0.1), Math.fround(-1e10), 2.5]);
    expect(t.f16.shape).toEqual([2, 3]);
    expect(Array.from(t.f16.dataSync())).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity]);
    expect(Array.from(t.bf16.dataSync())).toEqual([1, -3.5, 0]);
    expect([t.flags.dtype, t.pixels.dtype, t.counts.dtype]).toEqual(['int32', 'int32', 'int32']);
    expect(Array.from(t.flags.dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(t.pixels.dataSync())).toEqual([0, 255]);
    expect(Array.from(t.counts.dataSync())).toEqual([-(2 ** 31), 12, 2 ** 31 - 1]);
    tf.dispose(Object.values(t));
  });

  it('reads F32, I32 and F16 values from bytes at any offset of their buffer', () => {
    const file = packSafetensors({
      w: { dtype: 'F32', shape: [3], data: bytesOf(new Float32Array([0.1, -2, 1e-40])) },
      i: { dtype: 'I32', shape: [2], data: bytesOf(new Int32Array([-7, 2 ** 31 - 1])) },
      h: { dtype: 'F16', shape: [3], data: bytesOf(new Uint16Array([0x3555, 0x8001, 0xfc00])) },
    });
    // One byte in: every tensor's data starts at an odd address, where a typed array cannot view it.
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const t = decodeSafetensors(shifted.subarray(1));
    expect(Array.from(t.w.dataSync())).toEqual([Math.fround(0.1), -2, Math.fround(1e-40)]);
    expect(Array.from(t.i.dataSync())).toEqual([-7, 2 ** 31 - 1]);
    expect(Array.from(t.h.dataSync())).toEqual([0.333251953125, -(2 ** -24), -Infinity]);
    tf.dispose(Object.values(t));
  });

  it('rejects an I64 value that does not fit in int32, making no tensors', () => {
    const file = packSafetensors({
      a: { dtype: 'F32', shape: [1], data: new Uint8Array(4) },
      step: { dtype: 'I64', shape: [1], data: bytesOf(new BigInt64Array([2n ** 40n])) },
    });
    const before = tf.memory().numTensors;
    expectBundleError(() => decodeSafetensors(file), `"step" holds the I64 value ${2 ** 40}, which does not fit`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads a state dict written by PyTorch and gives its outputs', () => {
    const fixture = torchFixture('mlp.json');
    const state = decodeSafetensors(torchFile('mlp.safetensors'));
    expect(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.shape]))).toEqual(fixture.keys);
    const model = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 256), new ReLU(), new Linear(256, 4));
    model.loadStateDict(state);
    model.eval();
    const input = fromFixture(fixture.input);
    expectClose(model.forward(input), fixture.output);
    tf.dispose([...Object.values(state), input]);
    model.dispose();
  });

  it('reads a PyTorch batch-norm state dict with an I64 num_batches_tracked', () => {
    const fixture = torchFixture('mlp_bn.json');
    const bytes = torchFile('mlp_bn.safetensors');
    expect(unpackSafetensors(bytes).tensors['1.num_batches_tracked'].dtype).toBe('I64');
    const state = decodeSafetensors(bytes);
    expect(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.shape]))).toEqual(fixture.keys);
    expect(state['1.num_batches_tracked'].dtype).toBe('int32');
    expect(state['1.num_batches_tracked'].dataSync()[0]).toBe(3);
    const model = new Sequential(new Linear(20, 8), new BatchNorm1d(8), new ReLU(), new Dropout(0.2), new Linear(8, 4));
    model.loadStateDict(state);
    model.eval();
    const input = fromFixture(fixture.input);
    expectClose(model.forward(input), fixture.output);
    // Written back, the file is the one PyTorch's writer made: same layout, same bytes.
    expect(encodeSafetensors(model.stateDict(), { format: 'pt' })).toEqual(bytes);
    tf.dispose([...Object.values(state), input]);
    model.dispose();
  });

  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  });
  const entry = (dtype: string, shape: number[], end: number) => ({ w: { dtype, shape, data_offsets: [0, end] } });
  const withLength = (length: bigint) => {
    const file = fileWith('{}');
    new DataView(file.buffer).setBigUint64(0, length, true);
    return file;
  };
  const malformed: [string, Uint8Array, string][] = [
    ['fewer than 8 bytes', new Uint8Array(5), 'is 5 bytes, too short'],
    ['a header length beyond the file', withLength(200n), 'claims 200 bytes but the file has only 2'],
    ['a header length of 2^60', withLength(2n ** 60n), 'more than the 100000000-byte limit'],
    ['a header that is not UTF-8', fileWith('{"a\xff":1}').map((b) => (b === 0xc3 ? 0xff : b)), 'not valid UTF-8'],
    ['a header that is not JSON', fileWith('{"a": '), 'not valid JSON'],
    ['a header that is not an object', fileWith('[1, 2]'), 'must be a JSON object, got [1,2]'],
    ['an entry without dtype', fileWith({ w: { shape: [1], data_offsets: [0, 4] } }, 4), '"w": dtype must be a string'],
    ['an entry without shape', fileWith({ w: { dtype: 'F32', data_offsets: [0, 4] } }, 4), 'tensor "w": shape must be'],
    ['an entry without offsets', fileWith({ w: { dtype: 'F32', shape: [1] } }, 4), 'tensor "w": data_offsets must be'],
    ['reversed offsets', fileWith({ w: f32(4, 0, [1]) }, 4), 'tensor "w": data_offsets must be'],
    ['an unsupported dtype', fileWith(entry('I8', [4], 4), 4), 'tensor "w" has unsupported dtype "I8"'],
    ['an unknown dtype', fileWith(entry('F128', [1], 16), 16), 'tensor "w" has unsupported dtype "F128"'],
    ['offsets beyond the data', fileWith({ w: f32(0, 8) }, 4), '"w": data_offsets [0, 8] go beyond the 4-byte data'],
    ['offsets of 2^60', fileWith({ w: f32(0, 2 ** 60, [1]) }, 4), 'data_offsets must be'],
    ['overlapping tensors', fileWith({ a: f32(0, 8), b: f32(4, 12) }, 12), 'tensor "b": data_offsets [4, 12] overlaps'],
    ['a gap between tensors', fileWith({ a: f32(0, 4), b: f32(8, 12) }, 12), '"b": data_offsets [8, 12] leaves a gap'],
    ['a wrong size for shape', fileWith({ w: f32(0, 8, [3]) }, 8), '[3] needs 12 bytes but data_offsets [0, 8] hold 8'],
    ['huge dimensions', fileWith({ w: f32(0, 4, [2 ** 40, 2 ** 40]) }, 4), 'needs 4.835703278458517e+24 bytes'],
    ['trailing bytes after the tensors', fileWith({ w: f32(0, 4) }, 8), 'is 8 bytes but its tensors cover only 4'],
    ['__metadata__ that is not strings', fileWith({ __metadata__: { epoch: 3 } }), '__metadata__ must be an object of'],
    ['a truncated PyTorch file', torchFile('mlp.safetensors').subarray(0, 100_000), 'go beyond the'],
  ];
  it.each(malformed)('rejects %s with a BundleError saying so', (_, bytes, fragment) => {
    const before = tf.memory().numTensors;
    expectBundleError(() => decodeSafetensors(bytes), fragment);
    expect(tf.memory().numTensors).toBe(before);
  });
});
