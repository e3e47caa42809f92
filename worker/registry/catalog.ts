import { type Bundle, type Manifest, parseManifest } from '../../sdk/serve';
import { ApiError } from '../errors';
import { type Backend, BuiltInModels, buildBundle, type ModelSources } from './built-in';
import { LeasedLru } from './lru';
import { type ModelIndex, ModelStore, requireVersion, type VersionRecord } from './store';
import { checkUpload, type Upload } from './upload';

export interface RegistryOptions {
  /**
   * How long an isolate trusts its copy of a model's index (the active version, the versions listed) before reading
   * it again: an activation or upload made through another isolate is served everywhere within this time. The
   * isolate that made the change serves it from the next request.
   */
  indexTtlMs: number;
  /** Most bytes of registry weights kept built per isolate; the least recently used versions go first. */
  cacheBytes: number;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = { indexTtlMs: 2000, cacheBytes: 32 * 1024 * 1024 };

/** A model as a request resolved it: `version` null for a built-in model. */
export interface ServedModel {
  name: string;
  version: number | null;
  manifest: Manifest;
  /** The weights' size (what a published version costs in the cache). */
  bytes: number;
}

/** A value read from the bucket, and when. Only values are shared between requests, never a read in flight:
 *  workerd cancels, as hung, a request that waits on I/O another request started. */
interface Cached<T> {
  value: T;
  at: number;
}

/**
 * Every model the Worker serves: the registry's in the MODELS bucket (when bound) and the built-in ones, which a
 * registry version of the same name overrides. Per isolate it keeps each model's index for `indexTtlMs`, each
 * version's manifest, and the built models within `cacheBytes`. The bucket comes with each request (Workers hand
 * bindings to handlers only); undefined means no registry: built-in models only, writes refused.
 */
export class ModelCatalog {
  readonly #builtIns: BuiltInModels;
  readonly #indexes = new Map<string, Cached<ModelIndex | null>>();
  readonly #manifests = new Map<string, Manifest>();
  readonly #bundles: LeasedLru<Bundle>;
  #names?: Cached<string[]>;
  #resets = 0;

  constructor(
    builtIns: ModelSources,
    private readonly backend: Backend,
    private readonly options: RegistryOptions = DEFAULT_REGISTRY_OPTIONS,
  ) {
    this.#builtIns = new BuiltInModels(builtIns, backend);
    this.#bundles = new LeasedLru(options.cacheBytes, (bundle) => bundle.dispose());
  }

  /** Every model name served: the built-in ones in their order, then the published ones by name. */
  async names(bucket: R2Bucket | undefined): Promise<string[]> {
    const published = bucket === undefined ? [] : await this.#cached(this.#names, (names) => (this.#names = names), () => new ModelStore(bucket).names());
    return [...new Set([...this.#builtIns.names(), ...published])];
  }

  /**
   * The model a request names: the given version, else the registry's active one, else the built-in model.
   * 404 model_not_found / version_not_found otherwise.
   */
  async resolve(bucket: R2Bucket | undefined, name: string, version?: number): Promise<ServedModel> {
    if (bucket === undefined && version !== undefined) throw noRegistry();
    const index = bucket === undefined ? null : await this.index(bucket, name, version);
    if (version !== undefined) requireVersion(name, index, version);
    const served = version ?? index?.active ?? null;
    const record = index?.versions.find((entry) => entry.version === served);
    if (record !== undefined) {
      return { name, version: record.version, manifest: await this.#manifest(bucket!, name, record.version), bytes: record.bytes };
    }
    const manifest = this.#builtIns.manifest(name);
    if (manifest === undefined) {
      throw new ApiError(404, 'model_not_found', `no model named ${JSON.stringify(name)}`, {
        model: name,
        available: await this.names(bucket),
      });
    }
    return { name, version: null, manifest, bytes: manifest.weights.bytes };
  }

  /**
   * Starts the backend without waiting for it, so that a request can read the registry meanwhile (its first start
   * instantiates the wasm module). A failure is left to whoever awaits the start next: building the model does.
   */
  startBackend(): void {
    this.backend.start().catch(() => undefined);
  }

  /** Runs `fn` with the model built; a registry model stays built (not evicted) while `fn` runs. */
  async use<R>(bucket: R2Bucket | undefined, model: ServedModel, fn: (bundle: Bundle) => R | Promise<R>): Promise<R> {
    if (model.version === null) return fn(await this.#builtIns.bundle(model.name));
    if (this.backend.resets() !== this.#resets) {
      this.#bundles.clear(); // a reset freed every tensor: the built models are gone
      this.#resets = this.backend.resets();
    }
    const { name, version } = model;
    const build = async () => buildBundle(this.backend, name, model.manifest, await new ModelStore(bucket!).weights(name, version));
    return this.#bundles.use(`${name}@${version}`, model.bytes, build, fn);
  }

  /**
   * The model's index, null when it has none. Read again once older than indexTtlMs, or at once when it does not
   * list `version` (published through another isolate a moment ago). While the bucket fails, the last index read
   * keeps serving; with none, the failure is the answer (503).
   */
  async index(bucket: R2Bucket, name: string, version?: number): Promise<ModelIndex | null> {
    const read = () => new ModelStore(bucket).index(name);
    const keep = (entry: Cached<ModelIndex | null>) => this.#indexes.set(name, entry);
    const index = await this.#cached(this.#indexes.get(name), keep, read);
    const listed = version === undefined || index?.versions.some((record) => record.version === version);
    return listed ? index : this.#cached(undefined, keep, read);
  }

  /** Validates and stores a new version (see checkUpload), which this isolate serves from the next request. */
  async publish(bucket: R2Bucket, name: string, upload: Upload, activate: boolean): Promise<{ record: VersionRecord; index: ModelIndex }> {
    const manifest = await checkUpload(this.backend, name, upload);
    const record = {
      sha256: manifest.weights.sha256,
      bytes: manifest.weights.bytes,
      created: manifest.created,
      published: new Date().toISOString(),
      metrics: manifest.metrics,
    };
    const { version, index } = await new ModelStore(bucket).add(name, upload, record, activate);
    this.#manifests.set(`${name}@${version}`, manifest);
    this.#known(name, index);
    this.#names = undefined;
    return { record: { version, ...record }, index };
  }

  async activate(bucket: R2Bucket, name: string, version: number): Promise<ModelIndex> {
    return this.#known(name, await new ModelStore(bucket).activate(name, version));
  }

  async remove(bucket: R2Bucket, name: string, version: number): Promise<ModelIndex> {
    const index = await new ModelStore(bucket).remove(name, version);
    this.#bundles.delete(`${name}@${version}`);
    this.#manifests.delete(`${name}@${version}`);
    return this.#known(name, index);
  }

  #known(name: string, index: ModelIndex): ModelIndex {
    this.#indexes.set(name, { value: index, at: Date.now() });
    return index;
  }

  async #manifest(bucket: R2Bucket, name: string, version: number): Promise<Manifest> {
    const key = `${name}@${version}`;
    const known = this.#manifests.get(key);
    if (known !== undefined) return known;
    const manifest = parseManifest(await new ModelStore(bucket).manifest(name, version));
    this.#manifests.set(key, manifest);
    return manifest;
  }

  /** A value read at most once per indexTtlMs per isolate, falling back to the last one while the bucket fails. */
  async #cached<T>(entry: Cached<T> | undefined, keep: (entry: Cached<T>) => void, read: () => Promise<T>): Promise<T> {
    if (entry !== undefined && Date.now() - entry.at < this.options.indexTtlMs) return entry.value;
    try {
      const value = await read();
      keep({ value, at: Date.now() });
      return value;
    } catch (error) {
      if (entry === undefined) throw error;
      console.warn('edgeml: the model registry cannot be read; serving what it last said:', (error as Error).message);
      keep({ value: entry.value, at: Date.now() }); // try again after indexTtlMs, not on every request
      return entry.value;
    }
  }
}

/** 503 for a registry request to a Worker without the MODELS bucket. */
export function noRegistry(): ApiError {
  return new ApiError(
    503,
    'registry_unavailable',
    'this Worker has no model registry: bind an R2 bucket as MODELS (wrangler.toml [[r2_buckets]])',
  );
}
