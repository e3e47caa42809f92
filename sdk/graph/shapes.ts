import { ArgumentError } from '../errors';

/** The shape of `a ⊕ b` under NumPy/PyTorch broadcasting (axes aligned from the end; a size of 1 stretches). */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ArgumentError(`${op}: shapes [${a}] and [${b}] do not broadcast (axis ${i}: ${x} vs ${y})`);
    }
    return x === 1 ? y : x;
  });
}

/** The axis `dim` names in a tensor of `rank` axes (negative counts from the end); ArgumentError outside. */
export function axisOf(op: string, dim: number, rank: number): number {
  const axis = dim < 0 ? rank + dim : dim;
  if (axis < 0 || axis >= rank) throw new ArgumentError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank}`);
  return axis;
}

/** torch.flatten's output shape: axes startDim..endDim merged into one. */
export function flattenShape(shape: readonly number[], startDim: number, endDim: number): number[] {
  const start = startDim < 0 ? shape.length + startDim : startDim;
  const end = endDim < 0 ? shape.length + endDim : endDim;
  if (start < 0 || end >= shape.length || start > end) {
    throw new ArgumentError(`flatten(startDim=${startDim}, endDim=${endDim}) does not fit an input of rank ${shape.length}`);
  }
  const merged = shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
}

/**
 * The shape `target` names for an input of `shape`, as ONNX's Reshape: 0 copies the input's size on that axis (how
 * a traced reshape keeps the batch size free), −1 takes whatever size is left.
 */
export function reshapeShape(shape: readonly number[], target: readonly number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const resolved = target.map((n, i) => {
    if (n !== 0) return n;
    if (i >= shape.length) throw new ArgumentError(`reshape: 0 at axis ${i} has no input axis to copy (input [${shape}])`);
    return shape[i];
  });
  const known = resolved.filter((n) => n !== -1).reduce((a, b) => a * b, 1);
  const inferred = resolved.includes(-1) ? (known === 0 ? 0 : size / known) : undefined;
  if ((inferred !== undefined && !Number.isInteger(inferred)) || (inferred === undefined && known !== size)) {
    throw new ArgumentError(`reshape: an input of shape [${shape}] (${size} elements) cannot become [${target}]`);
  }
  return resolved.map((n) => (n === -1 ? inferred! : n));
}

/** tf.concat's output shape along `axis`; every other size must agree. */
export function concatShape(shapes: readonly (readonly number[])[], dim: number): number[] {
  if (shapes.length === 0) throw new ArgumentError('concat: needs at least one input');
  const rank = shapes[0].length;
  const axis = axisOf('concat', dim, rank);
  for (const shape of shapes) {
    if (shape.length !== rank || shape.some((size, i) => i !== axis && size !== shapes[0][i])) {
      throw new ArgumentError(`concat: shapes [${shapes[0]}] and [${shape}] differ off axis ${axis}`);
    }
  }
  const out = [...shapes[0]];
  out[axis] = shapes.reduce((sum, shape) => sum + shape[axis], 0);
  return out;
}

/** Throws unless `shape` is `expected` exactly. */
export function requireShape(what: string, shape: readonly number[], expected: readonly number[]): void {
  if (shape.length !== expected.length || shape.some((size, i) => size !== expected[i])) {
    throw new ArgumentError(`${what} has shape [${shape}], expected [${expected}]`);
  }
}
