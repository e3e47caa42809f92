import { ArgumentError } from '../errors';
import { ReLU, Sigmoid } from './activation';
import { BatchNorm1d, BatchNorm2d } from './batchnorm';
import { Dropout } from './dropout';
import { Flatten } from './flatten';
import { Linear } from './linear';
import type { Module, ModuleSpec } from './module';
import { Sequential } from './sequential';

type Builder = (spec: SpecReader) => Module;

const builders: Record<string, Builder> = {
  Sequential: (s) => new Sequential(...s.list('layers').map(build)),
  Linear: (s) => new Linear(s.number('inFeatures'), s.number('outFeatures'), { bias: s.boolean('bias', true) }),
  ReLU: () => new ReLU(),
  Sigmoid: () => new Sigmoid(),
  Dropout: (s) => new Dropout(s.number('p', 0.5)),
  Flatten: (s) => new Flatten(s.number('startDim', 1), s.number('endDim', -1)),
  BatchNorm1d: (s) => new BatchNorm1d(s.number('numFeatures'), batchNormOptions(s)),
  BatchNorm2d: (s) => new BatchNorm2d(s.number('numFeatures'), batchNormOptions(s)),
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

function batchNormOptions(s: SpecReader) {
  return {
    eps: s.number('eps', 1e-5),
    momentum: s.nullableNumber('momentum', 0.1),
    affine: s.boolean('affine', true),
    trackRunningStats: s.boolean('trackRunningStats', true),
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
    const isPair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isFinite(n));
    return this.read(key, fallback, (v) => (typeof v === 'number' && Number.isFinite(v)) || isPair(v), 'a number or a pair') as
      | number
      | [number, number];
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
