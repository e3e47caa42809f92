// The image routes' parity cases: what the worker project's globalSetup (parity-setup.ts, in Node) computes with the
// SDK and hands to test/worker/image-parity.test.ts in workerd, which must get the same numbers from the Worker.
// Types and pure helpers only (no node: imports), so both the Node and the workerd type-checks can import it.

export interface TensorJson {
  shape: number[];
  data: number[];
}

/** A POST /v1/image/conv2d JSON body (snake_case, as sent). */
export interface Conv2dBody {
  input: TensorJson;
  weight: TensorJson;
  bias?: TensorJson;
  stride?: number | [number, number];
  padding?: number | [number, number] | 'valid' | 'same' | 'full';
  dilation?: number | [number, number];
}

/** A POST /v1/image/pool JSON body. */
export interface PoolBody {
  input: TensorJson;
  mode: 'max' | 'avg';
  kernel_size: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  ceil_mode?: boolean;
  count_include_pad?: boolean;
}

export interface ParityRequest<Body> {
  name: string;
  body: Body;
  /** What F.conv2d / F.maxPool2d / F.avgPool2d give in Node for the same tensors and options, this run. */
  expected: TensorJson;
}

export interface ImageParity {
  conv2d: ParityRequest<Conv2dBody>[];
  pool: ParityRequest<PoolBody>[];
  /** test/fixtures/images/*.{png,jpg}, and a generated 640×427 4:4:4 JPEG 'pattern-640x427.jpg', base64 by file
   *  name (workerd tests cannot read files). */
  images: Record<string, string>;
  /** The features bundle (worker/models/features) on `image`, as bundle.load(...).transform gives it in Node. */
  transform: { model: string; image: string; expected: TensorJson };
}

declare module 'vitest' {
  export interface ProvidedContext {
    imageParity: ImageParity;
  }
}

type Spec<Body> = { name: string; body: (tensor: (shape: number[]) => TensorJson) => Body };

/** The conv2d cases: channel counts 1/2/3 → 1–4, kernels 1×1 to 5×5, every padding form, stride pairs, dilation. */
export const CONV2D_SPECS: Spec<Conv2dBody>[] = [
  {
    name: 'batch 2, Cin 3 → Cout 4, 3×3 kernel, padding 1, bias',
    body: (t) => ({ input: t([2, 3, 7, 9]), weight: t([4, 3, 3, 3]), bias: t([4]), padding: 1 }),
  },
  {
    name: "padding 'same' with a 3×4 kernel (the odd unit of padding after), unbatched input",
    body: (t) => ({ input: t([1, 6, 7]), weight: t([2, 1, 3, 4]), padding: 'same' }),
  },
  {
    name: "padding 'full' with dilation 2 and bias",
    body: (t) => ({ input: t([1, 2, 5, 6]), weight: t([3, 2, 2, 3]), bias: t([3]), padding: 'full', dilation: 2 }),
  },
  {
    name: 'stride [2, 1], padding [1, 2], 5×5 kernel',
    body: (t) => ({ input: t([1, 1, 9, 8]), weight: t([2, 1, 5, 5]), stride: [2, 1], padding: [1, 2] }),
  },
  {
    name: "padding 'valid', 1×1 kernel, stride 2, batch 2",
    body: (t) => ({ input: t([2, 3, 5, 5]), weight: t([1, 3, 1, 1]), padding: 'valid', stride: 2 }),
  },
];

/** The pooling cases: ceil_mode (including a last window dropped for starting in the padding), padding,
 *  count_include_pad both ways, unbatched input, rectangular kernels. */
export const POOL_SPECS: Spec<PoolBody>[] = [
  {
    name: 'max 3×3, stride 2, padding 1, ceil_mode',
    body: (t) => ({ input: t([1, 2, 7, 8]), mode: 'max', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }),
  },
  {
    name: 'max 2×2, stride 2, padding 1, ceil_mode dropping a last window that starts in the padding',
    body: (t) => ({ input: t([1, 1, 5, 5]), mode: 'max', kernel_size: 2, stride: 2, padding: 1, ceil_mode: true }),
  },
  {
    name: 'max on an unbatched [C, H, W] input, stride defaulting to the kernel',
    body: (t) => ({ input: t([3, 6, 6]), mode: 'max', kernel_size: 2 }),
  },
  {
    name: 'avg 2×2, padding 1, ceil_mode, count_include_pad false',
    body: (t) => ({
      input: t([2, 1, 5, 6]),
      mode: 'avg',
      kernel_size: 2,
      padding: 1,
      ceil_mode: true,
      count_include_pad: false,
    }),
  },
  {
    name: 'avg 3×3, stride 2, padding 1, ceil_mode, count_include_pad true',
    body: (t) => ({ input: t([1, 1, 5, 5]), mode: 'avg', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: true }),
  },
  {
    name: 'avg with a [2, 3] kernel and stride [1, 2]',
    body: (t) => ({ input: t([1, 2, 6, 7]), mode: 'avg', kernel_size: [2, 3], stride: [1, 2] }),
  },
];

/**
 * Tensors of seeded pseudo-random float32 values in [−1, 1) (mulberry32), so every value survives JSON exactly.
 */
export function tensorMaker(seed: number): (shape: number[]) => TensorJson {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return (shape) => ({
    shape,
    data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(next() * 2 - 1)),
  });
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
