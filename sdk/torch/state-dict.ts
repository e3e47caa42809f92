import { TorchFileError } from '../errors';
import { StorageRef, TensorRef } from './globals';
import { Dict, Tuple } from './pickle';

/**
 * The (key, tensor) pairs of the unpickled `root`, in order, if it is a dict (or OrderedDict) from str to
 * tensors. Otherwise a TorchFileError (`not_a_state_dict`) saying what the file holds instead and what to save:
 * a bare tensor, a checkpoint (a dict of dicts), a dict holding numbers, non-str keys.
 */
export function stateDictEntries(root: unknown): [string, TensorRef][] {
  if (!(root instanceof Dict)) {
    const hint = root instanceof TensorRef ? ': save a dict of named tensors, such as model.state_dict()' : '';
    throw new TorchFileError('not_a_state_dict', `the file holds ${describe(root)}, not a state dict${hint}`);
  }
  return [...root.items].map(([key, value]): [string, TensorRef] => {
    if (typeof key !== 'string') {
      throw new TorchFileError(
        'not_a_state_dict',
        `the file's dict has the key ${describe(key)}; state dict keys are str`,
      );
    }
    if (value instanceof TensorRef) return [key, value];
    const hint =
      value instanceof Dict
        ? '; this looks like a checkpoint: in PyTorch, save the state dict on its own ' +
          `(torch.save(checkpoint["${key}"], path))`
        : '; a state dict holds only tensors';
    throw new TorchFileError('not_a_state_dict', `key "${key}" holds ${describe(value)}, not a tensor${hint}`, {
      key,
    });
  });
}

/** A pickled value in Python's words, for messages. */
function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof TensorRef) return 'a single tensor';
  if (value instanceof Dict) return 'a dict';
  if (value instanceof Tuple) return 'a tuple';
  if (value instanceof StorageRef) return 'a bare storage';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    return `the str ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'boolean') return `the bool ${value ? 'True' : 'False'}`;
  return 'an object';
}
