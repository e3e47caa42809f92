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

type Builder = (spec: SpecReader) => Module;

const builders: Record<string, Builder> = {
  Sequential: (s) => new Sequential(...buildAll(s.list('layers'))),
  Linear: (s) => new Linear(s.number('inFeatures'), s.number('outFeatures'), { bias: s.boolean('bias', true) }),
  ReLU: () => new ReLU(),
  Sigmoid: () => new Sigmoid(),
  Dropout: (s) => new Dropout(s.number('p', 0.5)),
  Flatten: (s) => new Flatten(s.number('startDim', 1), s.number('endDim', -1)),
  BatchNorm1d: (s) => new BatchNorm1d(s.number('numFeatures'), batchNormOptions(s)),
  BatchNorm2d: (s) => new BatchNorm2d(s.number('numFeatures'), batchNormOptions(s)),
  Conv2d: (s) =>
    new Conv2d(s.number('inChannels'), s.number('outChannels'), s.numberOrPair('kernelSize'), {
      stride: s.numberOrPair('stride', 1),
      padding: s.numberPairOrName('padding', ['valid', 'same', 'full'] as const, 0),
      dilation: s.numberOrPair('dilation', 1),
      bias: s.boolean('bias', true),
    }),
  MaxPool2d: (s) => new MaxPool2d(s.numberOrPair('kernelSize'), poolOptions(s)),
  AvgPool2d: (s) =>
    new AvgPool2d(s.numberOrPair('kernelSize'), { ...poolOptions(s), countIncludePad: s.boolean('countIncludePad', true) }),
};

/** The module types nn.build knows, in the spelling `spec.type` uses. */
export const buildableTypes = (): string[] => Object.keys(builders);

/**
 * Rebuilds a module from `module.spec()` output (as stored in a bundle's architecture), with fresh weights: load a
 * state dict into it to restore them. Unknown types and malformed options raise an ArgumentError naming them.
 */
export function build(spec: unknown): Module {
  const reader = new SpecReader(spec);
  const type = reader.string('type');
  const builder = builders[type];
  if (!builder) {
    throw new ArgumentError(`unknown module type "${type}"; known types: ${buildableTypes().join(', ')}`, { type });
  }
  return builder(reader);
}

/** Builds each spec in turn; if one fails, the modules already built are freed before the error goes on. */
function buildAll(specs: unknown[]): Module[] {
  const built: Module[] = [];
  try {
    for (const spec of specs) built.push(build(spec));
    return built;
  } catch (error) {
    for (const module of built) module.dispose();
    throw error;
  }
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
  return isFinite(value) || (Array.isArray(value) && value.length === 2 && value.every(isFinite));
}
