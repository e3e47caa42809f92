import { ArgumentError, BundleError } from '../errors';
import { stateShapes, type StateShapes } from '../nn/build';
import type { ManifestV1 } from './format';
import { type RawTensor, unpackSafetensors } from './safetensors';

/**
 * The state dict the manifest's architecture needs, from the spec alone. Throws BundleError for an architecture
 * that cannot be built (unknown type, bad option, too deep, a tensor too large for the backend).
 */
export function architectureShapes(manifest: ManifestV1): StateShapes {
  try {
    return stateShapes(manifest.architecture);
  } catch (error) {
    throw architectureError(error);
  }
}

/** An ArgumentError from nn.build as the bundle's BundleError; anything else is a bug and goes on as it is. */
export function architectureError(error: unknown): unknown {
  if (!(error instanceof ArgumentError)) return error;
  return new BundleError(`manifest architecture cannot be built: ${error.message}`, {
    field: 'architecture',
    ...error.details,
  });
}

/**
 * Checks the weights file's tensors against the state dict the architecture needs, key by key and shape by shape,
 * before any module is built: a manifest cannot make edgeml allocate (and initialise) weights that the file does not
 * hold, such as a Linear(30000, 30000) over a file of a few bytes. Throws BundleError naming `file` and the keys.
 * Returns the file's tensors as unpackSafetensors reads them, for the weights to be decoded without reading it again.
 */
export function checkWeightsFit(manifest: ManifestV1, bytes: Uint8Array): Record<string, RawTensor> {
  const needed = new Map(architectureShapes(manifest));
  const { tensors } = unpackSafetensors(bytes);
  const { file } = manifest.weights;
  const missing = [...needed.keys()].filter((key) => !Object.hasOwn(tensors, key));
  const unexpected = Object.keys(tensors).filter((key) => !needed.has(key));
  if (missing.length > 0 || unexpected.length > 0) {
    const problems = [
      missing.length > 0 ? `missing keys ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `unexpected keys ${unexpected.join(', ')}` : '',
    ];
    throw new BundleError(
      `${file} does not fit the architecture: state dict does not match the model: ${problems.filter(Boolean).join('; ')}`,
      { file, missing, unexpected },
    );
  }
  for (const [key, shape] of needed) {
    const got = tensors[key].shape;
    if (got.length !== shape.length || got.some((size, i) => size !== shape[i])) {
      throw new BundleError(
        `${file} does not fit the architecture: state dict entry ${key} has shape [${got}], the model needs [${shape}]`,
        { file, key, expected: shape, got },
      );
    }
  }
  return tensors;
}
