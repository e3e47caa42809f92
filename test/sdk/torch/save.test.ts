import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ArgumentError } from '../../../sdk/errors';
import { deserialize, load, save, serialize } from '../../../sdk/torch/index';
import { readZip } from '../../../sdk/torch/zip-read';
import { disposeAll, expectStateDict, expectedFor, expectedValues, pthFile, tfjsDtypeOf } from './helpers';

beforeAll(ready);

const dir = mkdtempSync(path.join(tmpdir(), 'edgeml-torch-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tensors of expected.json's entry for `name`, as tfjs tensors of the dtypes edgeml holds. */
function tensorsOf(name: string): Record<string, tf.Tensor> {
  const dict: Record<string, tf.Tensor> = {};
  for (const [key, tensor] of Object.entries(expectedFor(name))) {
    dict[key] = tf.tensor(expectedValues(tensor), tensor.shape, tfjsDtypeOf(tensor.dtype));
  }
  return dict;
}

describe('torch.serialize', () => {
  it("writes PyTorch's own bytes for the same OrderedDict (zip layout, pickle, records, int64 counters)", () => {
    // writer_reference.pth is torch.save(OrderedDict(...), buffer) from PyTorch 1.13: 44 tensors, so storage keys
    // past 10 (sorted as strings) and memo indices past 255 are covered.
    const dict = tensorsOf('writer_reference.pth');
    const ours = serialize(dict);
    const theirs = pthFile('writer_reference.pth');
    const [ourRecords, theirRecords] = [readZip(ours), readZip(theirs)];
    expect([...ourRecords.keys()]).toEqual([...theirRecords.keys()]);
    for (const [name, data] of theirRecords) expect(ourRecords.get(name), name).toEqual(data);
    expect(ours).toEqual(theirs);
    disposeAll(dict);
  });

  it('round-trips float32, int32, bool and int64 counters through deserialize', () => {
    const dict = tensorsOf('writer_reference.pth');
    const back = deserialize(serialize(dict));
    expectStateDict(back, expectedFor('writer_reference.pth'));
    disposeAll(dict);
    disposeAll(back);
  });

  it('names the archive folder as given', () => {
    const dict = { w: tf.tensor([1, 2]) };
    expect([...readZip(serialize(dict, { archiveName: 'phone' })).keys()]).toEqual([
      'phone/data.pkl',
      'phone/data/0',
      'phone/version',
    ]);
    disposeAll(dict);
  });

  it('refuses a dtype PyTorch files from edgeml do not hold, and a disposed tensor, naming the key', () => {
    const complex = tf.tensor(['a']);
    expect(() => serialize({ z: complex })).toThrow(ArgumentError);
    expect(() => serialize({ z: complex })).toThrow('"z" is string');
    complex.dispose();
    expect(() => serialize({ gone: complex })).toThrow('"gone" is disposed');
  });
});

describe('torch.save', () => {
  it('writes a file torch.load reads back, with the archive named after the file as PyTorch does', async () => {
    const file = path.join(dir, 'nested', 'phone.pth');
    const dict = tensorsOf('mlp.pth');
    await save(dict, file);
    expect([...readZip(new Uint8Array(readFileSync(file))).keys()][0]).toBe('phone/data.pkl');
    const back = await load(file);
    expectStateDict(back, expectedFor('mlp.pth'));
    disposeAll(dict);
    disposeAll(back);
  });

  it('leaves a previous file whole and no temporary file behind when saving fails', async () => {
    const file = path.join(dir, 'keep.pth');
    writeFileSync(file, 'previous');
    const complex = tf.tensor(['a']);
    await expect(save({ z: complex }, file)).rejects.toThrow(ArgumentError);
    complex.dispose();
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
