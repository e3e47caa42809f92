import { BundleError } from '../errors';
import { MAX_NESTING } from '../nn/build';
import { parseGraph, type Graph } from '../graph/format';
import { MNIST_SIZE } from '../image/mnist';
import type { ModuleSpec } from '../nn/module';
import { checkInputFitsGraph, IMAGE_PREPROCESSING, type ModelInput } from './input';
import { checkNesting } from './nesting';

export const BUNDLE_FORMAT = 'edgeml.bundle';
/** The newest format version this edgeml reads and the one a traced save writes; a Sequential-only save writes 1. */
export const BUNDLE_VERSION = 2;
/** The manifest's name in a bundle folder; it names the weights file, which save() calls WEIGHTS_FILE. */
export const MANIFEST_FILE = 'model.json';
export const WEIGHTS_FILE = 'model.safetensors';

/** The names a Worker serves bundles under (`/v1/models/{name}`): one URL path segment that needs no escaping. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * How deeply a manifest may nest lists and objects: room for an architecture nested as deep as nn.build allows (each
 * module level is an object and its `layers` list), and a bound that keeps recursive code off a stack overflow.
 */
const MAX_MANIFEST_NESTING = 2 * MAX_NESTING + 8;

export const TASKS = ['tabular-classification', 'image-classification', 'image-transform'] as const;
export type Task = (typeof TASKS)[number];

/** What every version of model.json holds besides the model itself and its input. */
interface ManifestCommon {
  format: typeof BUNDLE_FORMAT;
  name: string;
  task: Task;
  /** Class names, by output index. */
  labels: string[];
  weights: { file: string; sha256: string; bytes: number };
  metrics: Record<string, unknown>;
  training: {
    config: Record<string, unknown>;
    seed?: number;
    data?: { path: string; sha256: string; rows: number };
  };
  /** ISO 8601 time of export. */
  created: string;
}

/** model.json of version 2 (a traced model): the graph of its forward and what it takes. */
export interface ManifestV2 extends ManifestCommon {
  version: 2;
  input: ModelInput;
  graph: Graph;
}

/** model.json: everything needed to rebuild, check and serve the model whose weights sit next to it. */
export type Manifest = ManifestV1 | ManifestV2;

/** model.json of version 1: an nn.Sequential's spec, rebuilt by nn.build. */
export interface ManifestV1 extends ManifestCommon {
  version: 1;
  /** `model.spec()`; `nn.build` turns it back into the module. */
  architecture: ModuleSpec;
  preprocess: {
    /** Input columns, in the order the model takes them. */
    features: string[];
    scaler: { mean: number[]; std: number[] } | null;
    /** Image channels the model expects (image tasks). */
    channels?: number;
  };
}

/**
 * Validates parsed model.json content and returns it as a Manifest (unknown fields dropped). Throws BundleError
 * naming the first field that is missing or wrong and what it should be; a bundle of a newer format version is told
 * apart so the message can say to upgrade edgeml.
 */
export function parseManifest(json: unknown): Manifest {
  checkNesting(json, MAX_MANIFEST_NESTING, 'manifest');
  const root = object(json, 'manifest');
  if (root.format !== BUNDLE_FORMAT) {
    throw new BundleError(
      `not an edgeml bundle manifest: "format" is ${describe(root.format)}, expected "${BUNDLE_FORMAT}"`,
      { field: 'format' },
    );
  }
  const version = root.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > BUNDLE_VERSION) {
    throw new BundleError(
      `this bundle is format version ${version}; this edgeml reads versions 1 to ${BUNDLE_VERSION} — upgrade edgeml`,
      { field: 'version', version },
    );
  }
  if (version !== 1 && version !== 2) invalid('version', `the number 1 or ${BUNDLE_VERSION}`, version);
  const name = nonEmptyString(root.name, 'name');
  const task = oneOf(root.task, 'task', TASKS);
  if (version === 1) {
    const architecture = readArchitecture(root.architecture);
    const preprocess = readPreprocess(object(root.preprocess, 'preprocess'), task);
    return { format: BUNDLE_FORMAT, version, name, task, architecture, preprocess, ...readCommon(root, task) };
  }
  const input = readInput(object(root.input, 'input'), task);
  const graph = parseGraph(root.graph);
  checkInputFitsGraph(input, graph.input.shape);
  return { format: BUNDLE_FORMAT, version, name, task, input, graph, ...readCommon(root, task) };
}

function readCommon(root: Record<string, unknown>, task: Task) {
  return {
    labels: uniqueStrings(root.labels, 'labels', task !== 'image-transform'),
    weights: readWeights(object(root.weights, 'weights')),
    metrics: object(root.metrics, 'metrics'),
    training: readTraining(object(root.training, 'training')),
    created: isoTime(root.created, 'created'),
  };
}

/** A version-2 `input`; its kind must be the task's (tabular for tabular-classification, image otherwise). */
function readInput(input: Record<string, unknown>, task: Task): ModelInput {
  const kind = oneOf(input.kind, 'input.kind', [task === 'tabular-classification' ? 'tabular' : 'image'] as const);
  if (kind === 'tabular') {
    const features = uniqueStrings(input.features, 'input.features', true);
    const scaler = input.scaler === null ? null : readScaler(object(input.scaler, 'input.scaler'), features, 'input.scaler');
    return { kind, features, scaler };
  }
  const image = {
    kind,
    channels: positiveInteger(input.channels, 'input.channels'),
    height: positiveInteger(input.height, 'input.height'),
    width: positiveInteger(input.width, 'input.width'),
    preprocessing: oneOf(input.preprocessing, 'input.preprocessing', IMAGE_PREPROCESSING),
  };
  const mnist = [1, MNIST_SIZE, MNIST_SIZE];
  if (image.preprocessing === 'mnist' && [image.channels, image.height, image.width].some((n, i) => n !== mnist[i])) {
    invalid('input', `channels 1, height ${MNIST_SIZE} and width ${MNIST_SIZE} with preprocessing "mnist"`, input);
  }
  return image;
}

function readPreprocess(preprocess: Record<string, unknown>, task: Task): ManifestV1['preprocess'] {
  const features = uniqueStrings(preprocess.features, 'preprocess.features', task === 'tabular-classification');
  const scaler =
    preprocess.scaler === null ? null : readScaler(object(preprocess.scaler, 'preprocess.scaler'), features, 'preprocess.scaler');
  if (preprocess.channels === undefined) return { features, scaler };
  return { features, scaler, channels: positiveInteger(preprocess.channels, 'preprocess.channels') };
}

function readScaler(scaler: Record<string, unknown>, features: string[], field: string): { mean: number[]; std: number[] } {
  return {
    mean: perFeature(scaler.mean, `${field}.mean`, features, 'a finite number', Number.isFinite),
    std: perFeature(scaler.std, `${field}.std`, features, 'a positive number', (n) => n > 0 && n < Infinity),
  };
}

function readArchitecture(value: unknown): ModuleSpec {
  const architecture = object(value, 'architecture');
  nonEmptyString(architecture.type, 'architecture.type');
  return architecture as ModuleSpec;
}

function readWeights(weights: Record<string, unknown>): ManifestCommon['weights'] {
  const file = nonEmptyString(weights.file, 'weights.file');
  if (/[/\\\0]/.test(file) || file === '.' || file === '..') {
    invalid('weights.file', 'a plain file name inside the bundle folder, without path separators', file);
  }
  return { file, sha256: sha256(weights.sha256, 'weights.sha256'), bytes: count(weights.bytes, 'weights.bytes') };
}

function readTraining(training: Record<string, unknown>): ManifestCommon['training'] {
  return {
    config: object(training.config, 'training.config'),
    ...(training.seed === undefined ? {} : { seed: finiteNumber(training.seed, 'training.seed') }),
    ...(training.data === undefined ? {} : { data: readDataSource(object(training.data, 'training.data')) }),
  };
}

function readDataSource(data: Record<string, unknown>): NonNullable<ManifestCommon['training']['data']> {
  return {
    path: nonEmptyString(data.path, 'training.data.path'),
    sha256: sha256(data.sha256, 'training.data.sha256'),
    rows: count(data.rows, 'training.data.rows'),
  };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(field, 'an object', value);
  return value as Record<string, unknown>;
}

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') invalid(field, 'a non-empty string', value);
  return value as string;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) invalid(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return value as T;
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(field, 'a finite number', value);
  return value as number;
}

function positiveInteger(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) invalid(field, 'a positive integer', value);
  return value as number;
}

function count(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) invalid(field, 'a non-negative integer', value);
  return value as number;
}

function sha256(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    invalid(field, 'a SHA-256 digest (64 lowercase hex digits)', value);
  }
  return value as string;
}

function isoTime(value: unknown, field: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  if (typeof value !== 'string' || !iso.test(value) || Number.isNaN(Date.parse(value))) {
    invalid(field, 'an ISO 8601 date-time such as "2025-01-31T12:00:00.000Z"', value);
  }
  return value as string;
}

/** Names (features, labels) must be distinct: predictions and named inputs are looked up by them. */
function uniqueStrings(value: unknown, field: string, required: boolean): string[] {
  const expected = `a list of distinct non-empty strings${required ? ' (at least one)' : ''}`;
  if (!Array.isArray(value) || (required && value.length === 0)) invalid(field, expected, value);
  const list = value as unknown[];
  const firsts = new Map<string, number>(); // not list.indexOf, which made 100 000 names take 20 s
  list.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') invalid(`${field}[${i}]`, 'a non-empty string', item);
    const first = firsts.get(item as string);
    if (first !== undefined) invalid(`${field}[${i}]`, `a name not already listed (it repeats ${field}[${first}])`, item);
    firsts.set(item as string, i);
  });
  return [...(list as string[])];
}

function perFeature(
  value: unknown,
  field: string,
  features: string[],
  expected: string,
  valid: (n: number) => boolean,
): number[] {
  if (!Array.isArray(value) || value.length !== features.length) {
    const list = field.replace(/scaler\.\w+$/, 'features');
    invalid(field, `a list of ${features.length} numbers, one per feature in ${list}`, value);
  }
  const list = value as unknown[];
  list.forEach((item, i) => {
    if (typeof item !== 'number' || !valid(item)) {
      invalid(`${field}[${i}]`, `${expected} (feature "${features[i]}")`, item);
    }
  });
  return [...(list as number[])];
}

function invalid(field: string, expected: string, value: unknown): never {
  throw new BundleError(`manifest field "${field}" must be ${expected}, got ${describe(value)}`, { field });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 80) return text;
  return Array.isArray(value) ? `a list of ${value.length} values` : `${text.slice(0, 77)}...`;
}
