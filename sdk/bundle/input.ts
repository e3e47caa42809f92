import { BundleError } from '../errors';
import type { Manifest } from './format';

/** What MNIST-style preprocessing names: how an uploaded image becomes the model's input (see image-input.ts). */
export const IMAGE_PREPROCESSING = ['none', 'mnist'] as const;
export type ImagePreprocessing = (typeof IMAGE_PREPROCESSING)[number];

/** Rows of named numeric features, scaled by the fitted scaler (null: taken as they are). */
export interface TabularInput {
  kind: 'tabular';
  features: string[];
  scaler: { mean: number[]; std: number[] } | null;
}

/**
 * Images as `[C, H, W]` float tensors. A traced bundle (version 2) always states the size; a version-1 image bundle
 * may state only the channels, or nothing (any image). `preprocessing` says how an image file becomes that tensor:
 * 'none' (toTensor: values 0–1, converted to C channels, the image must be H×W already) or 'mnist' (MNIST's own
 * preparation of a digit: grey, bright ink, cropped, scaled to 20×20, centred by mass in 28×28).
 */
export interface ImageInput {
  kind: 'image';
  channels?: number;
  height?: number;
  width?: number;
  preprocessing: ImagePreprocessing;
}

export type ModelInput = TabularInput | ImageInput;

/** What a bundle's model takes: a version-2 manifest's `input`, or a version-1 manifest's `preprocess` read as one. */
export function modelInput(manifest: Manifest): ModelInput {
  if (manifest.version === 2) return manifest.input;
  const { features, scaler, channels } = manifest.preprocess;
  if (manifest.task === 'tabular-classification') return { kind: 'tabular', features, scaler };
  return channels === undefined ? { kind: 'image', preprocessing: 'none' } : { kind: 'image', channels, preprocessing: 'none' };
}

/** The `[C, H, W]` an image input takes, when the manifest says all three. */
export function imageShape(input: ImageInput): [number, number, number] | undefined {
  const { channels, height, width } = input;
  return channels !== undefined && height !== undefined && width !== undefined ? [channels, height, width] : undefined;
}

/**
 * Checks that a version-2 manifest's input matches its graph's input shape ([null, F] for F tabular features,
 * [null, C, H, W] for images). Throws BundleError naming both.
 */
export function checkInputFitsGraph(input: ModelInput, graphInput: readonly (number | null)[]): void {
  const expected = input.kind === 'tabular' ? [input.features.length] : imageShape(input)!;
  const [, ...sizes] = graphInput;
  if (sizes.length !== expected.length || sizes.some((size, i) => size !== expected[i])) {
    throw new BundleError(
      `manifest field "input" describes inputs of shape [N, ${expected.join(', ')}], but the graph takes [N, ${sizes.join(', ')}]`,
      { field: 'input', expected, graph: sizes },
    );
  }
}
