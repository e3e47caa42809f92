import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { TorchFileError, type TorchFileErrorCode } from '../../../sdk/errors';
import { writeZip } from '../../../sdk/torch/zip-write';

/** One tensor of test/fixtures/torch/pth/expected.json: PyTorch's dtype, and the values edgeml must read. */
export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  data: (number | 'nan' | 'inf' | '-inf')[];
}

export const pthPath = (name: string) => new URL(`../../fixtures/torch/pth/${name}`, import.meta.url).pathname;

/** The bytes of a fixture written by scripts/fixtures/make_torch_files.py. */
export const pthFile = (name: string) => new Uint8Array(readFileSync(pthPath(name)));

export const expectedFor = (name: string): Record<string, ExpectedTensor> =>
  JSON.parse(readFileSync(pthPath('expected.json'), 'utf8'))[name];

export function expectedValues(tensor: ExpectedTensor): number[] {
  const special = { nan: NaN, inf: Infinity, '-inf': -Infinity };
  return tensor.data.map((value) => (typeof value === 'string' ? special[value] : value));
}

/** The tfjs dtype edgeml reads a PyTorch dtype into. */
export function tfjsDtypeOf(torchDtype: string): 'float32' | 'int32' | 'bool' {
  if (torchDtype === 'bool') return 'bool';
  return torchDtype.startsWith('float') || torchDtype === 'bfloat16' ? 'float32' : 'int32';
}

/** Asserts that `dict` holds exactly `expected`: keys in order, tfjs dtypes, shapes, values bit for bit (-0, NaN). */
export function expectStateDict(dict: Record<string, tf.Tensor>, expected: Record<string, ExpectedTensor>): void {
  expect(Object.keys(dict)).toEqual(Object.keys(expected));
  for (const [key, tensor] of Object.entries(expected)) {
    expect({ key, dtype: dict[key].dtype, shape: dict[key].shape }).toEqual({
      key,
      dtype: tfjsDtypeOf(tensor.dtype),
      shape: tensor.shape,
    });
    expect(Array.from(dict[key].dataSync()), key).toEqual(expectedValues(tensor));
  }
}

export function disposeAll(dict: Record<string, tf.Tensor>): void {
  for (const tensor of Object.values(dict)) tensor.dispose();
}

/** Asserts that `action` throws a TorchFileError with `code` and a message containing every fragment. */
export async function expectTorchError(
  action: () => unknown,
  code: TorchFileErrorCode,
  ...fragments: string[]
): Promise<TorchFileError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TorchFileError);
  const error = caught as TorchFileError;
  expect(error.code, error.message).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

/** Pickle bytes from a mix of opcode bytes, byte arrays and strings (written as latin-1 bytes). */
export function pickle(...parts: (number | string | number[] | Uint8Array)[]): Uint8Array {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push(part);
    else if (typeof part === 'string') for (const char of part) bytes.push(char.charCodeAt(0));
    else bytes.push(...part);
  }
  return Uint8Array.from(bytes);
}

/** BINUNICODE of an ASCII string. */
export function str(value: string): number[] {
  return [0x58, value.length, 0, 0, 0, ...Array.from(value, (char) => char.charCodeAt(0))];
}

/** A PyTorch-layout zip holding `pickleBytes` as archive/data.pkl, then `records` under archive/. */
export function archive(pickleBytes: Uint8Array, records: Record<string, Uint8Array> = {}): Uint8Array {
  return writeZip([
    ['archive/data.pkl', pickleBytes],
    ...Object.entries(records).map(([name, data]): [string, Uint8Array] => [`archive/${name}`, data]),
    ['archive/version', new TextEncoder().encode('3\n')],
  ]);
}

/**
 * The pickle of {key: tensor} as torch.save writes it, for a view of storage "0" (`storageClass`, `numel`
 * elements) with the given offset, shape and strides (all below 256).
 */
export function tensorPickle(
  key: string,
  view: { storageClass?: string; numel: number; offset?: number; shape: number[]; stride: number[] },
): Uint8Array {
  const ints = (values: number[]) => [0x28, ...values.flatMap((v) => [0x4b, v]), 0x74];
  return pickle(
    [0x80, 2],
    'ccollections\nOrderedDict\n',
    [0x29, 0x52],
    str(key),
    'ctorch._utils\n_rebuild_tensor_v2\n',
    0x28,
    [0x28, ...str('storage')],
    `ctorch\n${view.storageClass ?? 'FloatStorage'}\n`,
    [...str('0'), ...str('cpu'), 0x4b, view.numel, 0x74, 0x51],
    [0x4b, view.offset ?? 0],
    ints(view.shape),
    ints(view.stride),
    0x89,
    'ccollections\nOrderedDict\n',
    [0x29, 0x52, 0x74, 0x52],
    [0x73, 0x2e],
  );
}

export function float32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
