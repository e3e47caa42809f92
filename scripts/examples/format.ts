import type * as tf from '@tensorflow/tfjs-core';

/** A tensor as PyTorch prints one: nested brackets, one row per line, aligned fixed decimals. For small tensors. */
export function formatTensor(t: tf.Tensor, decimals = 4): string {
  const width = Math.max(...Array.from(t.dataSync(), (v) => v.toFixed(decimals).length));
  const render = (v: unknown, depth: number): string => {
    if (!Array.isArray(v)) return (v as number).toFixed(decimals).padStart(width);
    const separator = depth === t.rank - 1 ? ', ' : `,${'\n'.repeat(t.rank - depth - 1)}${' '.repeat(depth + 1)}`;
    return `[${v.map((x) => render(x, depth + 1)).join(separator)}]`;
  };
  return render(t.arraySync(), 0);
}

/** The values of a small tensor on one line: `[0.1000, 2.0000]`. */
export function formatValues(t: tf.Tensor, decimals = 4): string {
  return `[${Array.from(t.dataSync(), (v) => v.toFixed(decimals)).join(', ')}]`;
}

/** Prints `label`, the shape, and the values. */
export function show(label: string, t: tf.Tensor, decimals = 4): void {
  console.log(`${label}  shape [${t.shape.join(', ')}]\n${formatTensor(t, decimals)}\n`);
}
