import { existsSync, rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ready } from '../../../sdk/backend';
import { Linear } from '../../../sdk/nn/linear';
import { Module } from '../../../sdk/nn/module';
import { deserialize, load } from '../../../sdk/torch/index';
import { disposeAll, expectStateDict, expectTorchError, expectedFor, pthFile, pthPath } from './helpers';

beforeAll(ready);

describe('torch.load reads what PyTorch wrote', () => {
  it.each(['mlp.pth', 'batchnorm.pth', 'views.pth', 'writer_reference.pth'])('%s', async (name) => {
    const dict = await load(pthPath(name));
    expectStateDict(dict, expectedFor(name));
    disposeAll(dict);
  });

  it.each(['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'])(
    'dtype %s, with its edge values (-0, NaN, ±inf, subnormals, int32 limits)',
    (dtype) => {
      const dict = deserialize(pthFile(`dtype_${dtype}.pth`));
      expectStateDict(dict, expectedFor(`dtype_${dtype}.pth`));
      disposeAll(dict);
    },
  );

  it('keeps num_batches_tracked an int32 scalar and the course keys in PyTorch order', () => {
    const dict = deserialize(pthFile('batchnorm.pth'));
    expect(Object.keys(dict)).toEqual([
      'fc.weight', 'fc.bias',
      'bn1d.weight', 'bn1d.bias', 'bn1d.running_mean', 'bn1d.running_var', 'bn1d.num_batches_tracked',
      'conv.weight', 'conv.bias',
      'bn2d.weight', 'bn2d.bias', 'bn2d.running_mean', 'bn2d.running_var', 'bn2d.num_batches_tracked',
    ]); // prettier-ignore
    expect(dict['bn1d.num_batches_tracked'].shape).toEqual([]);
    expect(dict['bn1d.num_batches_tracked'].dtype).toBe('int32');
    expect(dict['bn1d.num_batches_tracked'].dataSync()[0]).toBe(3);
    disposeAll(dict);
  });

  it('gives each view of a shared storage its own values (transposed, strided, offset, stride 0, empty)', () => {
    const dict = deserialize(pthFile('views.pth'));
    expect(dict.transposed.shape).toEqual([6, 4]);
    expect(Array.from(dict.transposed.dataSync()).slice(0, 5)).toEqual([0, 6, 12, 18, 1]);
    expect(Array.from(dict.strided.dataSync())).toEqual([7, 9, 11, 19, 21, 23]);
    expect(Array.from(dict.element.dataSync())).toEqual([23]);
    expect(Array.from(dict.expanded.dataSync())).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(dict.window.dataSync())).toEqual([3, 4, 5, 6]);
    expect(dict.empty.shape).toEqual([4, 0]);
    disposeAll(dict);
  });

  it("loads into the course's own model class, as DESIGN.md's loop does", async () => {
    class CourseModel extends Module {
      linear1 = new Linear(20, 8);
      linear2 = new Linear(8, 16);
      output = new Linear(16, 4);
      forward(x: tf.Tensor): tf.Tensor {
        return this.output.forward(tf.relu(this.linear2.forward(tf.relu(this.linear1.forward(x)))));
      }
    }
    const model = new CourseModel();
    const dict = await load(pthPath('mlp.pth'));
    model.loadStateDict(dict, { strict: true });
    expectStateDict(model.stateDict(), expectedFor('mlp.pth'));
    disposeAll(dict);
    model.dispose();
  });

  it('takes bytes as well as a path', async () => {
    const dict = await load(pthFile('mlp.pth'));
    expectStateDict(dict, expectedFor('mlp.pth'));
    disposeAll(dict);
  });
});

describe('torch.load refuses what is not a readable state dict', () => {
  it('never runs the malicious pickle, and names the global it refers to', async () => {
    rmSync('/tmp/edgeml-evil-pth-ran', { force: true });
    const error = await expectTorchError(() => load(pthPath('evil.pth')), 'unsafe_torch_file', 'posix.system');
    expect(error.details).toMatchObject({ global: 'posix.system' });
    expect(existsSync('/tmp/edgeml-evil-pth-ran')).toBe(false);
  });

  it('refuses a whole pickled model, saying to save model.state_dict()', async () => {
    await expectTorchError(
      () => deserialize(pthFile('whole_model.pth')),
      'not_a_state_dict',
      '__main__.CourseModel',
      'torch.save(model.state_dict(), path)',
    );
  });

  it('recognises the legacy (pre-1.6) format', async () => {
    await expectTorchError(() => deserialize(pthFile('legacy.pth')), 'unsupported_torch_file', 'legacy', 'PyTorch 1.6');
  });

  it('names the key of a dtype it cannot read', async () => {
    await expectTorchError(
      () => deserialize(pthFile('complex.pth')),
      'unsupported_torch_file',
      'tensor "z"',
      'torch.ComplexFloatStorage',
    );
  });

  it('names the key holding an int64 value beyond int32', async () => {
    const error = await expectTorchError(
      () => deserialize(pthFile('int64_overflow.pth')),
      'unsupported_torch_file',
      'tensor "counter"',
      '1099511627776',
    );
    expect(error.details).toMatchObject({ key: 'counter' });
  });

  it('prefixes errors with the path, and reports a missing file', async () => {
    await expectTorchError(() => load(pthPath('legacy.pth')), 'unsupported_torch_file', pthPath('legacy.pth'));
    await expectTorchError(() => load(pthPath('no-such.pth')), 'torch_file_not_found', 'no-such.pth');
  });

  it('says a safetensors file is not a torch.save file', async () => {
    const header = new TextEncoder().encode('{"__metadata__":{"format":"pt"}}');
    const bytes = new Uint8Array(8 + header.length);
    bytes[0] = header.length;
    bytes.set(header, 8);
    await expectTorchError(() => deserialize(bytes), 'corrupt_torch_file', 'safetensors', 'bundle.decodeSafetensors');
  });
});
