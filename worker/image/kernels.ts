/**
 * The classic 3×3 kernels the image form of POST /v1/image/conv2d applies by name (`?kernel=`), defined here and
 * nowhere else. Each is applied as a cross-correlation (F.conv2d, like PyTorch's), i.e. not flipped: sobel_x is
 * positive where brightness increases to the right, sobel_y where it increases downwards.
 */
export const KERNELS = {
  /** Horizontal gradient (responds to vertical edges). */
  sobel_x: [
    [-1, 0, 1],
    [-2, 0, 2],
    [-1, 0, 1],
  ],
  /** Vertical gradient (responds to horizontal edges). */
  sobel_y: [
    [-1, -2, -1],
    [0, 0, 0],
    [1, 2, 1],
  ],
  /** Gaussian (binomial) blur; sums to 1, so flat regions keep their value. */
  blur: [
    [1 / 16, 2 / 16, 1 / 16],
    [2 / 16, 4 / 16, 2 / 16],
    [1 / 16, 2 / 16, 1 / 16],
  ],
  /** Sharpen: the image plus its 4-neighbour Laplacian; sums to 1. */
  sharpen: [
    [0, -1, 0],
    [-1, 5, -1],
    [0, -1, 0],
  ],
  /** Edge (outline): the 8-neighbour Laplacian; sums to 0, so flat regions go to 0. */
  edge: [
    [-1, -1, -1],
    [-1, 8, -1],
    [-1, -1, -1],
  ],
} as const satisfies Record<string, readonly (readonly number[])[]>;

export type KernelName = keyof typeof KERNELS;

/** Every name, in the order the image form applies them when `kernel` is not given. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** The weight `[K, 1, 3, 3]` (row-major values and shape) for the named kernels, in the order given. */
export function kernelWeight(names: readonly KernelName[]): {
  shape: [number, number, number, number];
  data: Float32Array;
} {
  const data = new Float32Array(names.length * 9);
  names.forEach((name, k) => data.set(KERNELS[name].flat(), k * 9));
  return { shape: [names.length, 1, 3, 3], data };
}
