import { ArgumentError, type Bundle, BundleError, EdgeMLError, fromBytes, type Manifest, parseManifest } from '../sdk/serve';
import { ApiError } from './errors';

/** A bundle as the Worker receives it: model.json's parsed content and model.safetensors' bytes. */
export interface ModelSource {
  manifest: unknown;
  weights: ArrayBuffer | Uint8Array;
}

/** Served models by URL name (`/v1/models/{name}`). */
export type ModelSources = Readonly<Record<string, ModelSource>>;

/** Names that fit in one URL path segment without escaping. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The models one app serves. Manifests are checked when the registry is made (cheap, no I/O), so a malformed
 * bundle fails createApp instead of a request. Models are built on first use and reused by every later request in
 * the isolate; a build that fails is forgotten, never served half-done, and is tried again by the next request.
 */
export class ModelRegistry {
  readonly #sources = new Map<string, ModelSource>();
  readonly #manifests = new Map<string, Manifest>();
  readonly #bundles = new Map<string, { loading: Promise<Bundle>; resets: number }>();

  /**
   * `backend.start` runs before a model is built; `backend.resets` counts the backend's resets (worker/wasm.ts), each
   * of which disposes every tensor, so a model built before the latest reset is built again.
   */
  constructor(
    sources: ModelSources,
    private readonly backend: { start: () => Promise<unknown>; resets: () => number },
  ) {
    for (const [name, source] of Object.entries(sources)) {
      if (!MODEL_NAME.test(name)) {
        throw new ArgumentError(`model name ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-"`);
      }
      this.#sources.set(name, source);
      this.#manifests.set(name, manifestOf(name, source));
    }
  }

  names(): string[] {
    return [...this.#manifests.keys()];
  }

  /** The model's validated manifest; ApiError 404 model_not_found for a name this app does not serve. */
  manifest(name: string): Manifest {
    const manifest = this.#manifests.get(name);
    if (manifest === undefined) {
      throw new ApiError(404, 'model_not_found', `no model named ${JSON.stringify(name)}`, {
        model: name,
        available: this.names(),
      });
    }
    return manifest;
  }

  /** The built model; ApiError 404 for an unknown name, 503 model_unavailable if its weights do not load. */
  bundle(name: string): Promise<Bundle> {
    this.manifest(name);
    const resets = this.backend.resets();
    const built = this.#bundles.get(name);
    if (built !== undefined && built.resets === resets) return built.loading;
    const loading = this.#load(name);
    this.#bundles.set(name, { loading, resets });
    const forget = () => {
      if (this.#bundles.get(name)?.loading === loading) this.#bundles.delete(name);
    };
    loading.catch(forget);
    return loading;
  }

  async #load(name: string): Promise<Bundle> {
    await this.backend.start();
    const { manifest, weights } = this.#sources.get(name)!;
    try {
      return await fromBytes(manifest, weights); // disposes what it built when it fails
    } catch (error) {
      if (!(error instanceof EdgeMLError)) throw error;
      throw new ApiError(503, 'model_unavailable', `model "${name}" cannot be loaded: ${error.message}`, {
        model: name,
        ...error.details,
      });
    }
  }
}

function manifestOf(name: string, source: ModelSource): Manifest {
  try {
    return parseManifest(source.manifest);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    throw new BundleError(`model "${name}": ${error.message}`, { model: name, ...error.details });
  }
}
