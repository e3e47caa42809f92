/**
 * PyTorch's own weight files: `load` reads what `torch.save(model.state_dict(), f)` writes (PyTorch ≥ 1.6) without
 * running anything from the file, `save` writes files PyTorch reads with `torch.load(f, weights_only=True)`.
 * `deserialize` and `serialize` are the same on bytes and need no Node API (they run in workerd).
 */
export { load, save } from './file';
export { deserialize } from './read';
export { serialize, type SerializeOptions } from './write';
export { TorchFileError, type TorchFileErrorCode } from '../errors';
