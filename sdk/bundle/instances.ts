import { InputError } from '../errors';

/**
 * One instance of tabular features as numbers in `features` order: an array of every value in that order, or an
 * object keyed by feature name (every feature, no others). Throws InputError with `details.index` (the instance)
 * and `details.field` (the feature name or array position) for the first value that does not fit.
 */
export function tabularRow(instance: unknown, index: number, features: readonly string[]): number[] {
  if (Array.isArray(instance)) {
    if (instance.length !== features.length) {
      throw new InputError(
        `instance ${index}: expected ${features.length} values (${features.join(', ')}), got ${instance.length}`,
        { index, field: Math.min(instance.length, features.length) },
      );
    }
    const row = new Array<number>(instance.length);
    for (let position = 0; position < instance.length; position++) {
      const value: unknown = instance[position];
      if (!fitsFloat32(value)) throw notFinite(value, index, position, `value ${position} (${features[position]})`);
      row[position] = value;
    }
    return row;
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
    const value = (instance as Record<string, unknown>)[name];
    if (!fitsFloat32(value)) throw notFinite(value, index, name, `feature ${JSON.stringify(name)}`);
    return value;
  });
}

/**
 * Image instances, each a nested `shape` array (`[C][H][W]` numbers), as one row-major `[N, C, H, W]` buffer.
 * Throws InputError naming the instance (`details.index`), where in it the first misfit sits (`details.field`, as
 * `[c][y]`) and the expected shape (`details.expected`).
 */
export function imageRows(instances: readonly unknown[], shape: readonly [number, number, number]): Float32Array {
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(instances.length * size);
  // Where the walk is, as indices; written out as a path ("[0][3]") only for an error message.
  const at: number[] = [];
  const path = () => at.map((i) => `[${i}]`).join('');
  instances.forEach((instance, index) => {
    let offset = index * size;
    const visit = (value: unknown, depth: number): void => {
      if (depth === shape.length) {
        if (!fitsFloat32(value)) throw notFinite(value, index, path(), `value ${path()}`, shape);
        out[offset++] = value;
        return;
      }
      if (!Array.isArray(value) || value.length !== shape[depth]) {
        const got = Array.isArray(value) ? `a list of ${value.length}` : describe(value);
        throw new InputError(
          `instance ${index}: expected a ${shape.join('×')} array (channels × height × width); ` +
            `${depth === 0 ? 'the instance' : path()} should be a list of ${shape[depth]}, got ${got}`,
          { index, field: path(), expected: [...shape] },
        );
      }
      for (let i = 0; i < value.length; i++) {
        at[depth] = i;
        visit(value[i], depth + 1);
      }
      at.length = depth;
    };
    visit(instance, 0);
  });
  return out;
}

/** The model computes in float32, so a double beyond its range would turn into Infinity there. */
function fitsFloat32(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(Math.fround(value));
}

/** The InputError for a value that is not a finite float32 number; the message is built only for the error. */
function notFinite(value: unknown, index: number, field: string | number, what: string, expected?: readonly number[]): InputError {
  const problem = typeof value === 'number' && Number.isFinite(value) ? ' within float32 range (±3.4e38)' : '';
  return new InputError(`instance ${index}: ${what} must be a finite number${problem}, got ${describe(value)}`, {
    index,
    field,
    ...(expected ? { expected: [...expected] } : {}),
  });
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
