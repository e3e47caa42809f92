import * as tf from '@tensorflow/tfjs-core';
import { StandardScaler } from '../data/scaler';
import { ArgumentError, BundleError, InputError } from '../errors';
import { build } from '../nn/build';
import type { Module } from '../nn/module';
import { argmaxRows, classScores } from '../inference/scores';
import { parseManifest, type Manifest } from './format';
import { decodeSafetensors } from './safetensors';
import { architectureError, checkWeightsFit } from './state-shapes';

/** One instance's result, in the KServe v1 shape the Worker answers with. */
export interface Prediction {
  class: number;
  label: string;
  probabilities: number[];
}

/**
 * A loaded model ready to serve: its manifest, the model in eval mode, and the fitted scaler (null when the features
 * go in unscaled). Made by `fromBytes` or `load`; it owns the model's tensors until `dispose()`.
 */
export class Bundle {
  readonly scaler: StandardScaler | null;

  /**
   * Puts `model` in eval mode and checks it against the manifest (which must come from parseManifest): for
   * classification, that it takes rows of the manifest's features and gives one score per label. Throws BundleError
   * otherwise, leaving the model to the caller.
   */
  constructor(
    readonly manifest: Manifest,
    readonly model: Module,
  ) {
    checkModelFits(manifest, model);
    const { scaler } = manifest.preprocess;
    this.scaler = scaler === null ? null : new StandardScaler(scaler.mean, scaler.std);
    model.eval();
  }

  /**
   * Classifies `instances`, each an array of the feature values in manifest order or an object keyed by feature
   * name (every feature, no others). Throws InputError with `details.index` (the instance) and `details.field` (the
   * feature name or array position) for the first value that does not fit, and for a bundle that is not a
   * tabular classifier.
   */
  predict(instances: readonly unknown[]): Prediction[] {
    this.requireClassifier();
    if (!Array.isArray(instances)) {
      throw new InputError(`instances must be a list, got ${describe(instances)}`);
    }
    const width = this.manifest.preprocess.features.length;
    const rows = new Float32Array(instances.length * width);
    instances.forEach((instance, index) => rows.set(this.instanceRow(instance, index), index * width));
    return this.classify(rows);
  }

  /**
   * Classifies already numeric rows: `x` is row-major, one row per instance, with the features in manifest order.
   * Throws InputError if `x` is not whole rows or holds a non-finite value, or the bundle is not a tabular classifier.
   */
  predictRows(x: Float32Array): Prediction[] {
    this.requireClassifier();
    const width = this.manifest.preprocess.features.length;
    if (x.length % width !== 0) {
      throw new InputError(`rows must hold ${width} values each; got ${x.length} values, not a whole number of rows`);
    }
    const bad = x.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      const index = Math.floor(bad / width);
      const field = bad % width;
      throw new InputError(`instance ${index}: value ${field} must be a finite number, got ${x[bad]}`, {
        index,
        field,
      });
    }
    return this.classify(x);
  }

  /**
   * Runs an image-transform bundle on `images`: `[C, H, W]` or `[N, C, H, W]` floats with the manifest's channel
   * count, as image.toTensor makes them. Returns the model's output (e.g. feature maps `[N, C', H', W']`, unbatched
   * when the input was); the caller disposes it. Throws InputError when the input does not fit the model.
   */
  transform(images: tf.Tensor): tf.Tensor {
    const { task, preprocess } = this.manifest;
    if (task !== 'image-transform') throw new InputError(`bundle ${this.manifest.name} is a ${task} model, not an image transform`);
    const channels = images.shape[images.rank - 3];
    if ((images.rank !== 3 && images.rank !== 4) || (preprocess.channels !== undefined && channels !== preprocess.channels)) {
      throw new InputError(
        `bundle ${this.manifest.name} takes images of shape [C, H, W] or [N, C, H, W] with C = ${preprocess.channels}, got [${images.shape}]`,
        { field: 'shape', shape: images.shape },
      );
    }
    try {
      return tf.tidy(() => this.model.forward(images));
    } catch (error) {
      if (error instanceof ArgumentError) throw new InputError(error.message, error.details);
      throw error;
    }
  }

  /** Frees the model's tensors; the bundle cannot predict afterwards. */
  dispose(): void {
    this.model.dispose();
  }

  private requireClassifier(): void {
    const { name, task } = this.manifest;
    if (task !== 'tabular-classification') {
      throw new InputError(`model "${name}" is an ${task} bundle; only tabular-classification bundles predict classes`);
    }
  }

  private classify(rows: Float32Array): Prediction[] {
    if (rows.length === 0) return [];
    const width = this.manifest.preprocess.features.length;
    const scaled = this.scaler ? this.scaler.transformRows(rows, width) : rows;
    const { logits, probabilities, classes } = classScores(this.model, scaled, width);
    const winners = argmaxRows(logits, classes);
    return Array.from(winners, (winner, row) => ({
      class: winner,
      label: this.manifest.labels[winner],
      probabilities: Array.from(probabilities.subarray(row * classes, (row + 1) * classes)),
    }));
  }

  private instanceRow(instance: unknown, index: number): number[] {
    const { features } = this.manifest.preprocess;
    if (Array.isArray(instance)) {
      if (instance.length !== features.length) {
        throw new InputError(
          `instance ${index}: expected ${features.length} values (${features.join(', ')}), got ${instance.length}`,
          { index, field: Math.min(instance.length, features.length) },
        );
      }
      return instance.map((value, position) =>
        finiteValue(value, index, position, `value ${position} (${features[position]})`),
      );
    }
    if (typeof instance !== 'object' || instance === null) {
      throw new InputError(
        `instance ${index} must be a list of ${features.length} numbers or an object keyed by feature name, ` +
          `got ${describe(instance)}`,
        { index },
      );
    }
    const known = new Set(features);
    const unknown = Object.keys(instance).find((key) => !known.has(key));
    if (unknown !== undefined) {
      throw new InputError(
        `instance ${index}: unknown feature ${JSON.stringify(unknown)}; the features are ${features.join(', ')}`,
        { index, field: unknown },
      );
    }
    return features.map((name) => {
      if (!Object.hasOwn(instance, name)) {
        throw new InputError(`instance ${index}: feature ${JSON.stringify(name)} is missing`, { index, field: name });
      }
      return finiteValue((instance as Record<string, unknown>)[name], index, name, `feature ${JSON.stringify(name)}`);
    });
  }
}

/**
 * Builds the model a manifest describes and fills it from safetensors `weights`, checking on the way that the
 * weights are the manifest's (byte length and SHA-256), that every tensor the architecture needs is there at its
 * shape and nothing else is, and that the model fits the features and labels. Throws BundleError naming the problem;
 * on failure nothing is left allocated.
 */
export async function fromBytes(manifest: unknown, weights: Uint8Array | ArrayBuffer): Promise<Bundle> {
  const parsed = parseManifest(manifest);
  const bytes = ArrayBuffer.isView(weights)
    ? new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)
    : new Uint8Array(weights);
  await checkWeights(parsed.weights, bytes);
  checkWeightsFit(parsed, bytes);
  const model = buildModel(parsed);
  try {
    loadWeights(model, parsed.weights.file, bytes);
    return new Bundle(parsed, model);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Throws BundleError unless a classification model takes rows of the manifest's features and gives one score per
 * label; it runs one row of zeros through the inference path to find out. Image models are not checked here.
 */
export function checkModelFits(manifest: Manifest, model: Module): void {
  if (manifest.task !== 'tabular-classification') return;
  const { features } = manifest.preprocess;
  const classes = outputCount(model, features.length);
  if (classes !== manifest.labels.length) {
    throw new BundleError(
      `the model gives ${classes} scores per row but the manifest lists ${manifest.labels.length} labels`,
      { outputs: classes, labels: manifest.labels.length },
    );
  }
}

/** The number of scores `model` gives for a row of `width` features; BundleError if it cannot take such rows. */
export function outputCount(model: Module, width: number): number {
  try {
    return classScores(model, new Float32Array(width), width).classes;
  } catch (error) {
    throw new BundleError(`the model cannot take rows of ${width} features: ${(error as Error).message}`, {
      features: width,
    });
  }
}

async function checkWeights(expected: Manifest['weights'], bytes: Uint8Array): Promise<void> {
  if (bytes.length !== expected.bytes) {
    throw new BundleError(
      `${expected.file} is ${bytes.length} bytes but the manifest expects ${expected.bytes}; ` +
        'the weights file is truncated or does not belong to this manifest',
      { file: expected.file, expected: expected.bytes, actual: bytes.length },
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== expected.sha256) {
    throw new BundleError(
      `${expected.file} has SHA-256 ${actual} but the manifest expects ${expected.sha256}; ` +
        'the weights file is corrupt or does not belong to this manifest',
      { file: expected.file, expected: expected.sha256, actual },
    );
  }
}

/** The hex SHA-256 digest of `bytes`, by Web Crypto so that Node and workerd share it. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // The cast only narrows the typing: weights are file contents or fetched bytes, never shared memory.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function buildModel(manifest: Manifest): Module {
  try {
    return build(manifest.architecture);
  } catch (error) {
    throw architectureError(error);
  }
}

function loadWeights(model: Module, file: string, bytes: Uint8Array): void {
  const tensors = decodeSafetensors(bytes);
  try {
    model.loadStateDict(tensors, { strict: true });
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    throw new BundleError(`${file} does not fit the architecture: ${error.message}`, { file, ...error.details });
  } finally {
    for (const tensor of Object.values(tensors)) tensor.dispose();
  }
}

function finiteValue(value: unknown, index: number, field: string | number, what: string): number {
  // The model computes in float32, so a double beyond its range would turn into Infinity there.
  if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) {
    const problem = typeof value === 'number' && Number.isFinite(value) ? ' within float32 range (±3.4e38)' : '';
    throw new InputError(`instance ${index}: ${what} must be a finite number${problem}, got ${describe(value)}`, {
      index,
      field,
    });
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
