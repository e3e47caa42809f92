import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { deserialize } from '../../../sdk/torch/index';
import {
  archive,
  disposeAll,
  expectStateDict,
  expectTorchError,
  expectedFor,
  float32Bytes,
  pickle,
  pthFile,
  str,
  tensorPickle,
} from './helpers';

beforeAll(ready);

const load = (pickleBytes: Uint8Array) => () => deserialize(archive(pickleBytes, { 'data/0': float32Bytes([1, 2]) }));
const PROTO2 = [0x80, 2];

describe('the restricted unpickler admits what torch.save writes', () => {
  it('reads protocol 4 pickles (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE) and the _metadata BUILD', () => {
    const dict = deserialize(pthFile('protocol4.pth'));
    expectStateDict(dict, expectedFor('protocol4.pth'));
    disposeAll(dict);
  });

  it('reads an nn.Parameter through torch._utils._rebuild_parameter', () => {
    const dict = deserialize(pthFile('parameter.pth'));
    expectStateDict(dict, expectedFor('parameter.pth'));
    disposeAll(dict);
  });
});

describe('the restricted unpickler refuses everything else, running nothing', () => {
  it.each([
    ['GLOBAL builtins.eval', pickle(PROTO2, 'cbuiltins\neval\n', str('1'), 0x85, 0x52, 0x2e), 'builtins.eval'],
    ['GLOBAL os.system', pickle(PROTO2, 'cos\nsystem\n', str('true'), 0x85, 0x52, 0x2e), 'os.system'],
    ['builtins.eval, named but never called', pickle(PROTO2, 'cbuiltins\neval\n', 0x2e), 'builtins.eval'],
    [
      'STACK_GLOBAL posix.system (protocol 4)',
      pickle([0x80, 4], 0x8c, 5, 'posix', 0x8c, 6, 'system', 0x93, str('true'), 0x85, 0x52, 0x2e),
      'posix.system',
    ],
    ['a lookalike torch global', pickle(PROTO2, 'ctorch\nload\n', 0x29, 0x52, 0x2e), 'torch.load'],
    ['a lookalike storage', pickle(PROTO2, 'ctorch.storage\nFloatStorage\n', 0x2e), 'torch.storage.FloatStorage'],
  ])('%s', async (_, bytes, name) => {
    const error = await expectTorchError(load(bytes), 'unsafe_torch_file', name);
    expect(error.details).toMatchObject({ global: name });
  });

  it.each([
    ['calling a storage class', pickle(PROTO2, 'ctorch\nFloatStorage\n', 0x29, 0x52, 0x2e), 'torch.FloatStorage'],
    ['OrderedDict(1)', pickle(PROTO2, 'ccollections\nOrderedDict\n', 0x4b, 1, 0x85, 0x52, 0x2e), '1 arguments'],
    ['BUILD on a list', pickle(PROTO2, 0x5d, 0x7d, 0x62, 0x2e), 'state of an object'],
  ])('refuses %s', async (_, bytes, fragment) => {
    await expectTorchError(load(bytes), 'unsafe_torch_file', fragment);
  });

  // On an admitted class, so that the opcode itself is what gets refused.
  it.each([
    ['INST', pickle(PROTO2, 0x28, 'icollections\nOrderedDict\n', 0x2e)],
    ['OBJ', pickle(PROTO2, 0x28, 'ccollections\nOrderedDict\n', 0x6f, 0x2e)],
    ['NEWOBJ', pickle(PROTO2, 'ccollections\nOrderedDict\n', 0x29, 0x81, 0x2e)],
    ['EXT1', pickle(PROTO2, 0x82, 1, 0x2e)],
  ])('refuses the object-building opcode %s', async (name, bytes) => {
    await expectTorchError(load(bytes), 'unsupported_torch_file', name, 'constructs objects');
  });

  it('refuses a whole model whatever its module, with the state_dict advice', async () => {
    await expectTorchError(
      load(pickle(PROTO2, 'ctorch.nn.modules.container\nSequential\n', 0x29, 0x81, 0x2e)),
      'not_a_state_dict',
      'torch.nn.modules.container.Sequential',
      'model.state_dict()',
    );
  });
});

describe('a pickle that is not a dict of tensors', () => {
  const tensorArgs = (numel: number) =>
    pickle(
      'ctorch._utils\n_rebuild_tensor_v2\n',
      [0x28, 0x28, ...str('storage')],
      'ctorch\nFloatStorage\n',
      [...str('0'), ...str('cpu'), 0x4b, numel, 0x74, 0x51],
      [0x4b, 0, 0x4b, numel, 0x85, 0x4b, 1, 0x85, 0x89, 0x7d, 0x74, 0x52],
    );

  it.each([
    ['a bare tensor', pickle(PROTO2, tensorArgs(2), 0x2e), 'a single tensor'],
    ['a list', pickle(PROTO2, 0x5d, 0x2e), 'holds a list'],
    ['an int key', pickle(PROTO2, 0x7d, 0x4b, 3, tensorArgs(2), 0x73, 0x2e), 'the key the number 3'],
    ['a checkpoint', pickle(PROTO2, 0x7d, str('model'), 0x7d, 0x73, 0x2e), 'checkpoint["model"]'],
    ['an int value', pickle(PROTO2, 0x7d, str('epoch'), 0x4b, 3, 0x73, 0x2e), 'key "epoch" holds the number 3'],
  ])('refuses %s', async (_, bytes, fragment) => {
    await expectTorchError(load(bytes), 'not_a_state_dict', fragment);
  });

  it('accepts a plain dict of tensors as well as an OrderedDict', () => {
    const dict = load(pickle(PROTO2, 0x7d, str('w'), tensorArgs(2), 0x73, 0x2e))();
    expect(Array.from(dict.w.dataSync())).toEqual([1, 2]);
    disposeAll(dict);
  });
});

describe('a malformed pickle', () => {
  const valid = tensorPickle('w', { numel: 2, shape: [2], stride: [1] });

  it.each([
    ['without STOP', valid.subarray(0, valid.length - 1), 'truncated'],
    ['cut inside an opcode', valid.subarray(0, 40), 'truncated'],
    ['reading an unknown memo entry', pickle(PROTO2, 0x68, 9, 0x2e), 'memo entry 9'],
    ['popping an empty stack', pickle(PROTO2, 0x30, 0x2e), 'empty stack'],
    ['closing a MARK it never opened', pickle(PROTO2, 0x74, 0x2e), 'MARK'],
    ['a storage id of the wrong shape', pickle(PROTO2, str('storage'), 0x51, 0x2e), 'persistent id'],
  ])('is corrupt: %s', async (_, bytes, fragment) => {
    await expectTorchError(load(bytes), 'corrupt_torch_file', fragment);
  });

  it('names an opcode torch.save never writes', async () => {
    await expectTorchError(load(pickle(PROTO2, 'I1\n', 0x2e)), 'unsupported_torch_file', "'I' (0x49)");
  });
});
