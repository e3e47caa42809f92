import * as tf from '@tensorflow/tfjs-core';
import type { StandardScaler } from '../data/scaler';
import { BundleError } from '../errors';
import { exportGraph } from '../graph/export';
import type { Module } from '../nn/module';
import { checkModelFits, outputCount, sha256Hex } from './bundle';
import { BUNDLE_FORMAT, parseManifest, WEIGHTS_FILE, type Manifest, type Task } from './format';
import type { ImagePreprocessing, ModelInput } from './input';
import { encodeSafetensors, type WeightsDtype } from './safetensors';

export interface ExportOptions {
  model: Module;
  /**
   * An input batch (`[N, features]` rows or `[N, C, H, W]` images) to trace the forward on. With it the bundle is a
   * traced one (version 2), whatever the model's class; without it the model must be one of nn's layers or an
   * nn.Sequential of them (version 1, rebuilt from `model.spec()`).
   */
  example?: tf.Tensor;
  name: string;
  /** Default: 'tabular-classification' with features, 'image-classification' for a traced image model. */
  task?: Task;
  /** Input columns, in the order the model takes them (tabular models). */
  features?: readonly string[];
  /** Class names by output index. Default: "0" … "C-1" for a classifier with C outputs. */
  labels?: readonly string[];
  /** The scaler fitted on the training split; null or absent when features go in unscaled. */
  scaler?: StandardScaler | null;
  metrics?: Record<string, unknown>;
  training?: Manifest['training'];
  /** Image channels the model expects (version-1 image bundles; a traced one takes C, H, W from the example). */
  channels?: number;
  /** How an image file becomes a traced image model's input (see ImageInput). Default 'none'. */
  preprocessing?: ImagePreprocessing;
  /**
   * What a traced model takes, given whole instead of through features / scaler / preprocessing; it must match the
   * example's shape.
   */
  input?: ModelInput;
  /** How float weights are stored; float16 ones are widened to float32 on load. Default 'float32'. */
  dtype?: WeightsDtype;
}

/** A bundle's two files' contents: model.json's manifest and model.safetensors' bytes. */
export interface ExportedBundle {
  manifest: Manifest;
  weights: Uint8Array;
}

/**
 * The bundle of `options.model`, in memory (bundle.save writes it to a folder; a Worker serves it as it is):
 * the state dict as safetensors with PyTorch's keys, and the manifest, checked by parseManifest and against the
 * model. With an `example`, the forward is traced into the manifest's graph first (TraceError naming the op and
 * module it cannot export). Throws BundleError for options that do not make a valid bundle.
 */
export async function exportBundle(options: ExportOptions): Promise<ExportedBundle> {
  const { model, example } = options;
  const graph = example === undefined ? undefined : exportGraph(model, example);
  // PyTorch's save_file writes this metadata, and Hugging Face loaders check it.
  const weights = encodeSafetensors(model.stateDict(), { format: 'pt' }, options.dtype);
  const input = example === undefined ? undefined : (options.input ?? tracedInput(options, example));
  const task = options.task ?? (input?.kind === 'image' ? 'image-classification' : 'tabular-classification');
  const labels = options.labels ?? defaultLabels(task, model, input ?? { kind: 'tabular', features: [...(options.features ?? [])], scaler: null });
  const common = {
    format: BUNDLE_FORMAT,
    name: options.name,
    task,
    labels: [...labels],
    weights: { file: WEIGHTS_FILE, sha256: await sha256Hex(weights), bytes: weights.length },
    metrics: options.metrics ?? {},
    training: options.training ?? { config: {} },
    created: new Date().toISOString(),
  };
  const { features = [], scaler, channels } = options;
  const manifest = parseManifest(
    graph === undefined
      ? {
          ...common,
          version: 1,
          architecture: model.spec(),
          preprocess: { features: [...features], scaler: scaler ? scaler.toJSON() : null, channels },
        }
      : { ...common, version: 2, input, graph },
  );
  checkModelFits(manifest, model);
  return { manifest, weights };
}

/** A traced model's input: tabular rows of `features` when given, else images of the example's `[C, H, W]`. */
function tracedInput(options: ExportOptions, example: tf.Tensor): ModelInput {
  const { features, scaler, preprocessing = 'none' } = options;
  if (features !== undefined) {
    if (example.rank !== 2 || example.shape[1] !== features.length) {
      throw new BundleError(
        `the example must be rows of the ${features.length} features, [N, ${features.length}], got [${example.shape}]`,
        { field: 'example', shape: example.shape },
      );
    }
    return { kind: 'tabular', features: [...features], scaler: scaler ? scaler.toJSON() : null };
  }
  if (example.rank !== 4) {
    throw new BundleError(
      `without features the model is taken to read images: the example must be [N, C, H, W], got [${example.shape}] ` +
        '(pass features for a tabular model)',
      { field: 'example', shape: example.shape },
    );
  }
  const [, channels, height, width] = example.shape;
  return { kind: 'image', channels, height, width, preprocessing };
}

function defaultLabels(task: Task, model: Module, input: ModelInput): string[] {
  if (task === 'image-transform') return [];
  const shape = input.kind === 'tabular' ? [input.features.length] : [input.channels!, input.height!, input.width!];
  return Array.from({ length: outputCount(model, shape) }, (_, i) => String(i));
}
