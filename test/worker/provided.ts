// What the worker project's globalSetup (test/worker-node/parity-setup.ts, in Node) hands to the tests in workerd.
import type { Prediction } from '../../sdk/bundle/bundle';

export interface ParityCase {
  /** The served model's URL name. */
  model: string;
  /** Rows of the synthetic data set, each as the model's feature values in manifest order. */
  instances: number[][];
  /** What the SDK's bundle.load(...).predict(instances) gives in Node for the same bundle, computed this run. */
  expected: Prediction[];
}

export interface DigitsCase {
  /** Held-out MNIST digits drawn as PNG (base64), each with the SDK's preprocessed 28×28 input and its answer. */
  cases: { digit: number; png: string; input: number[]; expected: Prediction }[];
}

export interface RegistryCase {
  /** Rows of 20 features for the versions below. */
  instances: number[][];
  /** Bundles made with the SDK in Node: model.json's content, model.safetensors (base64), and the SDK's answers. */
  versions: { manifest: unknown; weights: string; expected: Prediction[] }[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    parity: ParityCase;
    digits: DigitsCase;
    registry: RegistryCase;
  }
}
