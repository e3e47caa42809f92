import * as tf from '@tensorflow/tfjs-core';
import { StandardScaler } from '../data/scaler';
import { ArgumentError, BundleError, InputError } from '../errors';
import { GraphModule } from '../graph/graph-module';
import { build } from '../nn/build';
import { withoutInit } from '../nn/init';
import type { Module } from '../nn/module';
import { argmaxRows, classScores, tensorClassScores, type ClassScores } from '../inference/scores';
import { parseManifest, type Manifest, type ManifestV1 } from './format';
import { buildGraphModel } from './graph-model';
import { imageShape, modelInput, type ModelInput } from './input';
import { describe, imageRows, tabularRow } from './instances';
import { decodeTensors, type RawTensor } from './safetensors';
import { architectureError, checkWeightsFit } from './state-shapes';

/** One instance's result, in the KServe v1 shape the Worker answers with. */
export interface Prediction {
  class: number;
  label: string;
  probabilities: number[];
}

/**
 * A loaded model ready to serve: its manifest, what it takes (`input`), the model in eval mode, and the fitted
 * scaler (null when features go in unscaled, and for images). Made by `fromBytes` or `load`; it owns the model's
 * tensors until `dispose()`.
 */
export class Bundle {
  readonly scaler: StandardScaler | null;
  readonly input: ModelInput;

  /** Puts `model`, already checked against the manifest (which must come from parseManifest), in eval mode. */
  constructor(
    readonly manifest: Manifest,
    readonly model: Module,
  ) {
    this.input = modelInput(manifest);
    const scaler = this.input.kind === 'tabular' ? this.input.scaler : null;
    this.scaler = scaler === null ? null : new StandardScaler(scaler.mean, scaler.std);
    model.eval();
  }

  /** The tabular input's feature names in order; none for an image model. */
  get features(): string[] {
    return this.input.kind === 'tabular' ? this.input.features : [];
  }

  /**
   * Classifies `instances`. For a tabular classifier each is an array of the feature values in manifest order or an
   * object keyed by feature name (every feature, no others); for an image classifier, a nested `[C][H][W]` array of
   * the manifest's size (values as the model was trained on, e.g. 0–1). Throws InputError with `details.index` (the
   * instance) and `details.field` (the feature, or the position in the image) for the first value that does not
   * fit, and for a bundle that does not classify.
   */
  predict(instances: readonly unknown[]): Prediction[] {
    if (!Array.isArray(instances)) throw new InputError(`instances must be a list, got ${describe(instances)}`);
    if (this.input.kind === 'image') {
      const shape = this.requireImageClassifier();
      return this.predictImages(tf.tensor4d(imageRows(instances, shape), [instances.length, ...shape]), true);
    }
    this.requireTabularClassifier();
    const width = this.features.length;
    const rows = new Float32Array(instances.length * width);
    instances.forEach((instance, index) => rows.set(tabularRow(instance, index, this.features), index * width));
    return this.classifyRows(rows);
  }

  /**
   * Classifies already numeric rows: `x` is row-major, one row per instance, with the features in manifest order.
   * Throws InputError if `x` is not whole rows or holds a non-finite value, or the bundle is not a tabular classifier.
   */
  predictRows(x: Float32Array): Prediction[] {
    this.requireTabularClassifier();
    const width = this.features.length;
    if (x.length % width !== 0) {
      throw new InputError(`rows must hold ${width} values each; got ${x.length} values, not a whole number of rows`);
    }
    let bad = -1;
    for (let i = 0; i < x.length && bad < 0; i++) if (!Number.isFinite(x[i])) bad = i;
    if (bad >= 0) {
      const index = Math.floor(bad / width);
      const field = bad % width;
      throw new InputError(`instance ${index}: value ${field} must be a finite number, got ${x[bad]}`, {
        index,
        field,
      });
    }
    return this.classifyRows(x);
  }

  /**
   * Classifies images already as tensors, `[N, C, H, W]` (or one `[C, H, W]`) of the manifest's size, such as
   * imageToInput makes. `x` stays the caller's unless `consume`. Throws InputError for another shape or a bundle
   * that is not an image classifier.
   */
  predictImages(x: tf.Tensor, consume = false): Prediction[] {
    try {
      const shape = this.requireImageClassifier();
      const images = x.rank === 3 ? tf.expandDims(x, 0) : x;
      try {
        const fits = images.rank === 4 && shape.every((size, i) => images.shape[i + 1] === size);
        if (!fits) {
          throw new InputError(`model "${this.manifest.name}" takes images of shape [N, ${shape}], got [${x.shape}]`, {
            field: 'shape',
            expected: [...shape],
            shape: x.shape,
          });
        }
        return images.shape[0] === 0 ? [] : this.predictions(tensorClassScores(this.model, images));
      } finally {
        if (images !== x) images.dispose();
      }
    } finally {
      if (consume) x.dispose();
    }
  }

  /**
   * Runs an image bundle on `images`: `[C, H, W]` or `[N, C, H, W]` floats with the manifest's channel count (and
   * size, when it states one), as image.toTensor makes them. An image transform gives the model's output; an image
   * classifier (traced) gives its first layer's feature maps (the first convolution with the batch norm and
   * activation after it). Unbatched when the input was; the caller disposes the result. Throws InputError when the
   * input does not fit the model, or the model has no feature maps to show.
   */
  transform(images: tf.Tensor): tf.Tensor {
    const { name, task } = this.manifest;
    if (this.input.kind !== 'image') throw new InputError(`bundle ${name} is a ${task} model, not an image model`);
    const { channels, height, width } = this.input;
    const [c, h, w] = images.shape.slice(-3);
    const fits =
      (images.rank === 3 || images.rank === 4) &&
      (channels === undefined || c === channels) &&
      (height === undefined || h === height) &&
      (width === undefined || w === width);
    if (!fits) {
      const stated = Object.entries({ C: channels, H: height, W: width }).filter(([, size]) => size !== undefined);
      throw new InputError(
        `bundle ${name} takes images of shape [C, H, W] or [N, C, H, W] with ` +
          `${stated.map(([axis, size]) => `${axis} = ${size}`).join(', ')}, got [${images.shape}]`,
        { field: 'shape', shape: images.shape },
      );
    }
    try {
      return tf.tidy(() => {
        if (task === 'image-transform') return this.model.forward(images);
        const maps = this.featureMaps(images.rank === 3 ? tf.expandDims(images, 0) : images);
        return images.rank === 3 ? tf.squeeze(maps, [0]) : maps;
      });
    } catch (error) {
      if (error instanceof ArgumentError) throw new InputError(error.message, error.details);
      throw error;
    }
  }

  /** Frees the model's tensors; the bundle cannot predict afterwards. */
  dispose(): void {
    this.model.dispose();
  }

  private featureMaps(images: tf.Tensor): tf.Tensor {
    const maps = this.model instanceof GraphModule ? this.model.firstFeatureMaps(images) : undefined;
    if (maps === undefined) throw new InputError(`model "${this.manifest.name}" has no convolution whose feature maps to show`);
    return maps;
  }

  private requireTabularClassifier(): void {
    const { name, task } = this.manifest;
    if (task !== 'tabular-classification') {
      throw new InputError(`model "${name}" is an ${task} bundle; it does not classify rows of features`);
    }
  }

  private requireImageClassifier(): [number, number, number] {
    const { name, task } = this.manifest;
    const shape = this.input.kind === 'image' ? imageShape(this.input) : undefined;
    if (task !== 'image-classification' || shape === undefined) {
      throw new InputError(`model "${name}" is an ${task} bundle; it does not classify images`);
    }
    return shape;
  }

  private classifyRows(rows: Float32Array): Prediction[] {
    if (rows.length === 0) return [];
    const width = this.features.length;
    const scaled = this.scaler ? this.scaler.transformRows(rows, width) : rows;
    return this.predictions(classScores(this.model, scaled, width));
  }

  private predictions({ logits, probabilities, classes }: ClassScores): Prediction[] {
    const winners = argmaxRows(logits, classes);
    // Plain loops: Array.from over typed arrays costs more than the model itself for a few hundred rows.
    const out: Prediction[] = new Array(winners.length);
    for (let row = 0; row < winners.length; row++) {
      const each = new Array<number>(classes);
      for (let c = 0; c < classes; c++) each[c] = probabilities[row * classes + c];
      out[row] = { class: winners[row], label: this.manifest.labels[winners[row]], probabilities: each };
    }
    return out;
  }
}

/**
 * Builds the model a manifest describes and fills it from safetensors `weights`, checking on the way that the
 * weights are the manifest's (byte length and SHA-256), that every tensor the model needs is there at its shape (for
 * a traced bundle: that every op is known, every tensor it reads is there, and shapes fit through the graph), all
 * before anything is allocated, and that the model fits the input and labels. Throws BundleError naming the
 * problem; on failure nothing is left allocated.
 */
export async function fromBytes(manifest: unknown, weights: Uint8Array | ArrayBuffer): Promise<Bundle> {
  const parsed = parseManifest(manifest);
  const bytes = ArrayBuffer.isView(weights)
    ? new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)
    : new Uint8Array(weights);
  await checkWeights(parsed.weights, bytes);
  const model = parsed.version === 1 ? buildSequential(parsed, bytes) : buildGraphModel(parsed, bytes);
  try {
    const bundle = new Bundle(parsed, model);
    // A graph's output shape was checked from the graph itself; a Sequential's is found by running it once, after
    // the Bundle has put it in eval mode, so that what the run prepares (a Linear's Wᵀ) is kept for predictions.
    if (parsed.version === 1) checkModelFits(parsed, model);
    return bundle;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Throws BundleError unless a classifier takes the manifest's input and gives one score per label; it runs one
 * input of zeros through the inference path to find out. Image transforms are not checked here.
 */
export function checkModelFits(manifest: Manifest, model: Module): void {
  if (manifest.task === 'image-transform') return;
  const input = modelInput(manifest);
  const shape = input.kind === 'tabular' ? [input.features.length] : imageShape(input);
  if (shape === undefined) throw new BundleError('an image classifier\'s manifest must give the image size', { field: 'input' });
  const classes = outputCount(model, shape);
  if (classes !== manifest.labels.length) {
    throw new BundleError(
      `the model gives ${classes} scores per ${input.kind === 'tabular' ? 'row' : 'image'} but the manifest lists ` +
        `${manifest.labels.length} labels`,
      { outputs: classes, labels: manifest.labels.length },
    );
  }
}

/** The number of scores `model` gives for one input of `shape` (a row of features: `[width]`); BundleError if it
 *  cannot take such inputs. */
export function outputCount(model: Module, shape: readonly number[]): number {
  const x = tf.zeros([1, ...shape]);
  try {
    return tensorClassScores(model, x).classes;
  } catch (error) {
    const inputs = shape.length === 1 ? `rows of ${shape[0]} features` : `images of shape [${shape}]`;
    throw new BundleError(`the model cannot take ${inputs}: ${(error as Error).message}`, {
      shape: [...shape],
    });
  } finally {
    x.dispose();
  }
}

/** The hex SHA-256 digest of `bytes`, by Web Crypto so that Node and workerd share it. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // The cast only narrows the typing: weights are file contents or fetched bytes, never shared memory.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
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

/** A version-1 bundle's model: nn.build of its architecture, with the weights checked against it first. */
function buildSequential(manifest: ManifestV1, bytes: Uint8Array): Module {
  const tensors = checkWeightsFit(manifest, bytes);
  let model: Module;
  try {
    model = withoutInit(() => build(manifest.architecture)); // every weight is loaded right after
  } catch (error) {
    throw architectureError(error);
  }
  try {
    loadWeights(model, manifest.weights.file, tensors);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function loadWeights(model: Module, file: string, raw: Record<string, RawTensor>): void {
  const tensors = decodeTensors(raw);
  try {
    model.loadStateDict(tensors, { strict: true });
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    throw new BundleError(`${file} does not fit the architecture: ${error.message}`, { file, ...error.details });
  } finally {
    for (const tensor of Object.values(tensors)) tensor.dispose();
  }
}
