import { ArgumentError, type Bundle, BundleError, EdgeMLError, fromBytes, type Manifest, MODEL_NAME, parseManifest } from '../../sdk/serve';
import { ApiError } from '../errors';

/** A bundle as the Worker receives it: model.json's parsed content and model.safetensors' bytes. */
export interface ModelSource {
  manifest: unknown;
  weights: ArrayBuffer | Uint8Array;
}

/** Served models by URL name (`/v1/models/{name}`). */
export type ModelSources = Readonly<Record<string, ModelSource>>;

/** The tfjs backend as models need it: started before a build, and reset (every tensor freed) now and then. */
export interface Backend {
  start: () => Promise<unknown>;
  /** How many times the backend was reset (worker/wasm.ts); a model built before the latest reset is gone. */
  resets: () => number;
}

/**
 * The models built into the Worker (worker/models), served under their names unless the registry has a version of
 * that name. Manifests are checked when the app is made (cheap, no I/O), so a malformed bundle fails createApp
 * instead of a request. Models are built on first use and kept for the isolate's life; a build that fails is
 * forgotten, never served half-done, and is tried again by the next request.
 */
export class BuiltInModels {
  readonly #sources = new Map<string, ModelSource>();
  readonly #manifests = new Map<string, Manifest>();
  readonly #bundles = new Map<string, { loading: Promise<Bundle>; resets: number }>();

  constructor(
    sources: ModelSources,
    private readonly backend: Backend,
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

  /** The model's validated manifest, or undefined for a name that is not built in. */
  manifest(name: string): Manifest | undefined {
    return this.#manifests.get(name);
  }

  /** The built model; 503 model_unavailable if its weights do not load. */
  bundle(name: string): Promise<Bundle> {
    const resets = this.backend.resets();
    const built = this.#bundles.get(name);
    if (built !== undefined && built.resets === resets) return built.loading;
    const { manifest, weights } = this.#sources.get(name)!;
    const loading = buildBundle(this.backend, name, manifest, weights);
    this.#bundles.set(name, { loading, resets });
    const forget = () => {
      if (this.#bundles.get(name)?.loading === loading) this.#bundles.delete(name);
    };
    loading.catch(forget);
    return loading;
  }
}

/** Builds a model once the backend runs; a bundle that does not load is 503 model_unavailable, naming the model. */
export async function buildBundle(
  backend: Backend,
  name: string,
  manifest: unknown,
  weights: ArrayBuffer | Uint8Array,
): Promise<Bundle> {
  await backend.start();
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

function manifestOf(name: string, source: ModelSource): Manifest {
  try {
    return parseManifest(source.manifest);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    throw new BundleError(`model "${name}": ${error.message}`, { model: name, ...error.details });
  }
}
