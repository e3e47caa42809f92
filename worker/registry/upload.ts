import * as tf from '@tensorflow/tfjs-core';
import { type Bundle, BundleError, EdgeMLError, fromBytes, imageShape, type Manifest } from '../../sdk/serve';
import { ApiError } from '../errors';
import type { Backend } from './built-in';

/** A published version's two files, as uploaded. */
export interface Upload {
  manifest: Uint8Array;
  weights: Uint8Array;
}

/** Side of the zeros image an image transform is tried on when its manifest states no size. */
const TRIAL_SIDE = 16;

/**
 * Everything a version must pass before it is stored: model.json parses as a manifest, the weights are the ones it
 * names (size, SHA-256) and fit the architecture or graph (known ops, shapes), and one input of zeros goes through
 * the model to finite outputs. 422 invalid_bundle naming the problem otherwise. Leaves nothing allocated.
 */
export async function checkUpload(backend: Backend, name: string, upload: Upload): Promise<Manifest> {
  await backend.start();
  let bundle: Bundle;
  try {
    bundle = await fromBytes(parseJson(upload.manifest), upload.weights);
  } catch (error) {
    if (!(error instanceof EdgeMLError)) throw error;
    throw invalid(name, error.message, error.details);
  }
  try {
    if (!trialOutputsFinite(bundle)) throw invalid(name, 'the model gives non-finite outputs for an input of zeros');
    return bundle.manifest;
  } catch (error) {
    if (!(error instanceof EdgeMLError)) throw error;
    throw invalid(name, `the model fails on an input of zeros: ${error.message}`, error.details);
  } finally {
    bundle.dispose();
  }
}

function trialOutputsFinite(bundle: Bundle): boolean {
  const { input, manifest } = bundle;
  if (input.kind === 'tabular') {
    return bundle.predictRows(new Float32Array(input.features.length)).every(allFinite);
  }
  const shape = imageShape(input) ?? [input.channels ?? 1, input.height ?? TRIAL_SIDE, input.width ?? TRIAL_SIDE];
  if (manifest.task === 'image-classification') return bundle.predictImages(tf.zeros([1, ...shape]), true).every(allFinite);
  const output = tf.tidy(() => tf.all(tf.isFinite(bundle.transform(tf.zeros([1, ...shape])))));
  try {
    return output.dataSync()[0] === 1;
  } finally {
    output.dispose();
  }
}

const allFinite = ({ probabilities }: { probabilities: number[] }) => probabilities.every(Number.isFinite);

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new BundleError(`model.json is not valid JSON: ${(error as Error).message}`);
  }
}

function invalid(name: string, message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(422, 'invalid_bundle', `model "${name}" was not stored: ${message}`, { model: name, ...details });
}
