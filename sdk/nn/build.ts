import { ArgumentError } from '../errors';
import { ReLU, Sigmoid } from './activation';
import { BatchNorm1d, BatchNorm2d } from './batchnorm';
import { Conv2d } from './conv';
import { Dropout } from './dropout';
import { Flatten } from './flatten';
import { Linear } from './linear';
import type { Module, ModuleSpec } from './module';
import { AvgPool2d, MaxPool2d } from './pool';
import { Sequential } from './sequential';

/** A module type as a spec names it: how to make it, and its state dict's shapes without making it. */
interface Kind {
  build: (spec: SpecReader) => Module;
  /** The state dict's entries (PyTorch's key names and shapes) that `build` would make, allocating nothing. */
  shapes: (spec: SpecReader) => StateShapes;
}

/** State-dict keys and their shapes, in the module's order. */
export type StateShapes = [key: string, shape: number[]][];

/**
 * How deep modules may nest (a Sequential in a Sequential is two levels). Building recurses once per level, so a
 * spec nested thousands deep would overflow the stack; real models nest a few levels.
 */
export const MAX_NESTING = 64;

/** The wasm backend's memory is 32-bit (4 GiB at most): no float32 tensor of 2³⁰ elements or more fits in it. */
const MAX_ELEMENTS = 2 ** 30 - 1;

const none = (): StateShapes => [];

// A Map, not an object literal: a type such as "constructor" or "__proto__" must not find Object.prototype's members.
const kinds = new Map<string, Kind>([
  [
    'Sequential',
    {
      build: (s) => new Sequential(...buildAll(s.list('layers'))),
      shapes: (s) =>
        s.list('layers').flatMap((layer, i): StateShapes => shapesOf(layer).map(([key, shape]) => [`${i}.${key}`, shape])),
    },
  ],
  [
    'Linear',
    {
      build: (s) => new Linear(s.number('inFeatures'), s.number('outFeatures'), { bias: s.boolean('bias', true) }),
      shapes: (s) => {
        const [inFeatures, outFeatures] = [s.size('inFeatures'), s.size('outFeatures')];
        return withBias(s, [['weight', [outFeatures, inFeatures]]], outFeatures);
      },
    },
  ],
  ['ReLU', { build: () => new ReLU(), shapes: none }],
  ['Sigmoid', { build: () => new Sigmoid(), shapes: none }],
  ['Dropout', { build: (s) => new Dropout(s.number('p', 0.5)), shapes: none }],
  ['Flatten', { build: (s) => new Flatten(s.number('startDim', 1), s.number('endDim', -1)), shapes: none }],
  ['BatchNorm1d', { build: (s) => new BatchNorm1d(s.number('numFeatures'), batchNormOptions(s)), shapes: batchNormShapes }],
  ['BatchNorm2d', { build: (s) => new BatchNorm2d(s.number('numFeatures'), batchNormOptions(s)), shapes: batchNormShapes }],
  [
    'Conv2d',
    {
      build: (s) =>
        new Conv2d(s.number('inChannels'), s.number('outChannels'), s.numberOrPair('kernelSize'), {
          stride: s.numberOrPair('stride', 1),
          padding: s.numberPairOrName('padding', ['valid', 'same', 'full'] as const, 0),
          dilation: s.numberOrPair('dilation', 1),
          bias: s.boolean('bias', true),
        }),
      shapes: (s) => {
        const [inChannels, outChannels] = [s.size('inChannels'), s.size('outChannels')];
        const [kh, kw] = s.sizePair('kernelSize');
        return withBias(s, [['weight', [outChannels, inChannels, kh, kw]]], outChannels);
      },
    },
  ],
  ['MaxPool2d', { build: (s) => new MaxPool2d(s.numberOrPair('kernelSize'), poolOptions(s)), shapes: none }],
  [
    'AvgPool2d',
    {
      build: (s) =>
        new AvgPool2d(s.numberOrPair('kernelSize'), { ...poolOptions(s), countIncludePad: s.boolean('countIncludePad', true) }),
      shapes: none,
    },
  ],
]);

/** The module types nn.build knows, in the spelling `spec.type` uses. */
export const buildableTypes = (): string[] => [...kinds.keys()];

/**
 * Rebuilds a module from `module.spec()` output (as stored in a bundle's architecture), with fresh weights: load a
 * state dict into it to restore them. Unknown types, malformed options, nesting deeper than MAX_NESTING and tensors
 * too large for the backend raise an ArgumentError naming them, before anything is allocated.
 */
export function build(spec: unknown): Module {
  stateShapes(spec);
  return buildChecked(spec);
}

/**
 * The state dict `build(spec)` would make, as keys and shapes, computed from the spec alone (nothing is allocated,
 * nothing initialised), so that weights can be checked against it before a model is built. Throws ArgumentError as
 * build does.
 */
export function stateShapes(spec: unknown): StateShapes {
  checkNesting(spec);
  const shapes = shapesOf(spec);
  for (const [key, shape] of shapes) {
    const elements = shape.reduce((product, size) => product * size, 1);
    if (elements > MAX_ELEMENTS) {
      throw new ArgumentError(
        `${key} would be a [${shape.join(', ')}] tensor of ${elements} elements; at most ${MAX_ELEMENTS} fit the backend`,
        { key, shape },
      );
    }
  }
  return shapes;
}

function kindOf(reader: SpecReader): Kind {
  const type = reader.string('type');
  const kind = kinds.get(type);
  if (!kind) {
    throw new ArgumentError(`unknown module type "${type}"; known types: ${buildableTypes().join(', ')}`, { type });
  }
  return kind;
}

function buildChecked(spec: unknown): Module {
  const reader = new SpecReader(spec);
  return kindOf(reader).build(reader);
}

function shapesOf(spec: unknown): StateShapes {
  const reader = new SpecReader(spec);
  return kindOf(reader).shapes(reader);
}

/**
 * Refuses specs whose `layers` nest deeper than MAX_NESTING, walking them with a queue rather than recursion so
 * that the check itself cannot overflow the stack.
 */
function checkNesting(spec: unknown): void {
  let level: unknown[] = [spec];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_NESTING) {
      throw new ArgumentError(
        `the spec nests modules more than ${MAX_NESTING} levels deep (a Sequential inside a Sequential is two); ` +
          'flatten the architecture',
        { maxNesting: MAX_NESTING },
      );
    }
    level = level.flatMap((module) => {
      const layers = typeof module === 'object' && module !== null ? (module as { layers?: unknown }).layers : undefined;
      return Array.isArray(layers) ? layers : [];
    });
  }
}

/** Builds each spec in turn; if one fails, the modules already built are freed before the error goes on. */
function buildAll(specs: unknown[]): Module[] {
  const built: Module[] = [];
  try {
    for (const spec of specs) built.push(buildChecked(spec));
    return built;
  } catch (error) {
    for (const module of built) module.dispose();
    throw error;
  }
}

function withBias(s: SpecReader, shapes: StateShapes, outputs: number): StateShapes {
  return s.boolean('bias', true) ? [...shapes, ['bias', [outputs]]] : shapes;
}

function batchNormShapes(s: SpecReader): StateShapes {
  const features = s.size('numFeatures');
  const { affine, trackRunningStats } = batchNormOptions(s);
  const shapes: StateShapes = [];
  if (affine) shapes.push(['weight', [features]], ['bias', [features]]);
  if (trackRunningStats) shapes.push(['running_mean', [features]], ['running_var', [features]], ['num_batches_tracked', []]);
  return shapes;
}

function batchNormOptions(s: SpecReader) {
  return {
    eps: s.number('eps', 1e-5),
    momentum: s.nullableNumber('momentum', 0.1),
    affine: s.boolean('affine', true),
    trackRunningStats: s.boolean('trackRunningStats', true),
  };
}

function poolOptions(s: SpecReader) {
  return {
    stride: s.numberOrPair('stride', s.numberOrPair('kernelSize')),
    padding: s.numberOrPair('padding', 0),
    ceilMode: s.boolean('ceilMode', false),
  };
}

export class SpecReader {
  private readonly spec: Record<string, unknown>;

  constructor(spec: unknown) {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      throw new ArgumentError(`a module spec must be an object with a "type", got ${JSON.stringify(spec)}`);
    }
    this.spec = spec as ModuleSpec;
  }

  string(key: string): string {
    return this.read(key, undefined, (v) => typeof v === 'string', 'a string') as string;
  }

  number(key: string, fallback?: number): number {
    return this.read(key, fallback, (v) => typeof v === 'number' && Number.isFinite(v), 'a finite number') as number;
  }

  nullableNumber(key: string, fallback: number | null): number | null {
    return this.read(key, fallback, (v) => v === null || (typeof v === 'number' && Number.isFinite(v)), 'a number or null') as
      | number
      | null;
  }

  boolean(key: string, fallback: boolean): boolean {
    return this.read(key, fallback, (v) => typeof v === 'boolean', 'true or false') as boolean;
  }

  /** A size (features, channels): a positive integer, as the modules require. */
  size(key: string): number {
    return this.read(key, undefined, isSize, 'a positive integer') as number;
  }

  /** A size or a pair of sizes (kernel sizes), as [height, width]. */
  sizePair(key: string): [number, number] {
    const value = this.read(key, undefined, (v) => isSize(v) || (isPair(v) && v.every(isSize)), 'a positive integer or a pair');
    return typeof value === 'number' ? [value, value] : (value as [number, number]);
  }

  list(key: string): unknown[] {
    return this.read(key, undefined, Array.isArray, 'a list') as unknown[];
  }

  /** For options that are a number or a pair, such as kernel sizes and strides. */
  numberOrPair(key: string, fallback?: number | [number, number]): number | [number, number] {
    return this.read(key, fallback, isNumberOrPair, 'a number or a pair') as number | [number, number];
  }

  /** For options that are a number, a pair, or one of a few names, such as conv padding ('same'). */
  numberPairOrName<Name extends string>(
    key: string,
    names: readonly Name[],
    fallback: number | [number, number] | Name,
  ): number | [number, number] | Name {
    const valid = (v: unknown) => isNumberOrPair(v) || (names as readonly unknown[]).includes(v);
    const expected = `a number, a pair or one of ${names.map((n) => `"${n}"`).join(', ')}`;
    return this.read(key, fallback, valid, expected) as number | [number, number] | Name;
  }

  private read(key: string, fallback: unknown, valid: (value: unknown) => boolean, expected: string): unknown {
    const value = this.spec[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (!valid(value)) {
      const type = typeof this.spec.type === 'string' ? this.spec.type : 'module';
      throw new ArgumentError(`${type} spec: "${key}" must be ${expected}, got ${JSON.stringify(value)}`, { key });
    }
    return value;
  }
}

function isNumberOrPair(value: unknown): boolean {
  const isFinite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  return isFinite(value) || (isPair(value) && value.every(isFinite));
}

function isPair(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
