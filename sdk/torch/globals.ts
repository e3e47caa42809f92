import { TorchFileError } from '../errors';
import { dtypeOfStorage, type TorchDtype } from './dtype';
import { Dict, Tuple, type PickleHooks } from './pickle';

/** A function the allowlist admits; REDUCE applies it by name, never by running anything from the file. */
class Callable {
  constructor(readonly qualname: string) {}
}

/** `torch.<X>Storage`: only ever named inside a storage's persistent id. `dtype` is undefined for one edgeml
 *  cannot read, refused once a tensor using it is read, with that tensor's key. */
export class StorageType {
  constructor(
    readonly qualname: string,
    readonly dtype: TorchDtype | undefined,
  ) {}
}

/** A storage record of the archive (`<top>/data/<key>`), holding `numel` elements of `type`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly type: StorageType,
    readonly numel: number,
  ) {}
}

/** A tensor as a view of a storage: element [i0, i1, …] is storage[offset + Σ ik·stride[k]]. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const ORDERED_DICT = new Callable('collections.OrderedDict');
const REBUILD_TENSOR = new Callable('torch._utils._rebuild_tensor_v2');
const REBUILD_PARAMETER = new Callable('torch._utils._rebuild_parameter');
const ALLOWED = new Map([ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER].map((c) => [c.qualname, c]));

/**
 * The pickle hooks for a state dict saved by torch.save, admitting exactly: `collections.OrderedDict()`,
 * `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])` (a
 * TensorRef), `torch._utils._rebuild_parameter(tensor, requires_grad, hooks)` (the tensor), the storage classes
 * `torch.*Storage` inside persistent ids `('storage', type, key, location, numel)` (a StorageRef), and BUILD on a
 * dict (the `_metadata` attribute of a state dict, ignored). Any other global is refused with a TorchFileError
 * naming it (`not_a_state_dict` when it looks like a pickled model, else `unsafe_torch_file`); malformed
 * arguments are `corrupt_torch_file`. `part` names the pickle in messages.
 */
export function stateDictHooks(part: string): PickleHooks {
  const corrupt = (message: string) => new TorchFileError('corrupt_torch_file', `${part}: ${message}`, { part });
  return {
    global(module, name) {
      const qualname = `${module}.${name}`;
      const allowed = ALLOWED.get(qualname);
      if (allowed) return allowed;
      if (module === 'torch' && /^\w+Storage$/.test(name)) return new StorageType(qualname, dtypeOfStorage(name));
      throw refusal(part, module, qualname);
    },
    reduce(callable, args) {
      const items = args.items;
      if (callable === ORDERED_DICT && items.length === 0) return new Dict();
      if (callable === REBUILD_TENSOR && (items.length === 6 || items.length === 7)) {
        const [storage, offset, size, stride] = items;
        if (!(storage instanceof StorageRef)) throw corrupt('a tensor is rebuilt from something that is not a storage');
        if (!isIndex(offset)) throw corrupt(`a tensor has the storage offset ${String(offset)}`);
        const shape = indexTuple(size);
        const strides = indexTuple(stride);
        if (!shape || !strides || shape.length !== strides.length) {
          throw corrupt('a tensor has a size or stride that is not a tuple of non-negative ints of the same length');
        }
        return new TensorRef(storage, offset, shape, strides);
      }
      if (callable === REBUILD_PARAMETER && items.length === 3 && items[0] instanceof TensorRef) return items[0];
      const name = callable instanceof Callable || callable instanceof StorageType ? callable.qualname : 'an object';
      throw new TorchFileError(
        'unsafe_torch_file',
        `${part}: the pickle calls ${name} with ${items.length} arguments, which a state dict never does; refused`,
        { part, global: name },
      );
    },
    build(target) {
      if (!(target instanceof Dict)) {
        throw new TorchFileError(
          'unsafe_torch_file',
          `${part}: the pickle sets the state of an object other than a dict`,
          { part },
        );
      }
    },
    persistentLoad(pid) {
      const items = pid instanceof Tuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      const isStorage = tag === 'storage' && type instanceof StorageType && typeof key === 'string' && isIndex(numel);
      if (items.length !== 5 || !isStorage) {
        throw corrupt("a persistent id is not a storage ('storage', torch.<Type>Storage, key, location, numel)");
      }
      return new StorageRef(key, type, numel);
    },
  };
}

function refusal(part: string, module: string, qualname: string): TorchFileError {
  if (module === '__main__' || module.startsWith('torch.nn.') || module.startsWith('__torch__')) {
    return new TorchFileError(
      'not_a_state_dict',
      `${part}: the file holds a pickled ${qualname}, which looks like a whole model (torch.save(model)) rather ` +
        'than a state dict; loading it would run code from the file. In PyTorch, save the weights with ' +
        'torch.save(model.state_dict(), path) and load those into an edgeml module with loadStateDict',
      { part, global: qualname },
    );
  }
  return new TorchFileError(
    'unsafe_torch_file',
    `${part}: the pickle refers to ${qualname}, which is not part of a state dict; edgeml never runs code from a ` +
      'file and reads only tensors saved by torch.save(model.state_dict(), path)',
    { part, global: qualname },
  );
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function indexTuple(value: unknown): number[] | undefined {
  return value instanceof Tuple && value.items.every(isIndex) ? (value.items as number[]) : undefined;
}
