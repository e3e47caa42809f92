import { ApiError } from '../errors';

/** One published version as the model's index lists it. */
export interface VersionRecord {
  version: number;
  /** SHA-256 of the weights file (the manifest's weights.sha256). */
  sha256: string;
  /** Size of the weights file in bytes: what the version costs in the serving cache. */
  bytes: number;
  /** When the model was trained (the manifest's `created`). */
  created: string;
  /** When this version was published. */
  published: string;
  metrics: Record<string, unknown>;
}

/**
 * A model's index in the bucket: every listed version is complete and immutable. `next` only grows, so a deleted
 * version's number is never given again; `active` is the version /predict serves (null until one is activated).
 */
export interface ModelIndex {
  model: string;
  next: number;
  active: number | null;
  versions: VersionRecord[];
}

/** Attempts at a compare-and-swap of an index before giving up with 503 registry_busy. */
const MAX_ATTEMPTS = 16;
const PREFIX = 'models/';

/**
 * The registry's layout in R2, written with conditional puts only, so concurrent writers in any isolate never lose
 * a version nor expose a half-written one:
 *   models/{name}/index.json                     the ModelIndex, replaced by compare-and-swap on its ETag
 *   models/{name}/versions/{n}/model.json        created once (If-None-Match: *), which reserves number n
 *   models/{name}/versions/{n}/model.safetensors
 * A version is listed in the index only after both files are written; a writer that dies between leaves an
 * unlisted, never-served number behind.
 */
export class ModelStore {
  constructor(private readonly bucket: R2Bucket) {}

  async index(name: string): Promise<ModelIndex | null> {
    return (await this.#readIndex(name))?.index ?? null;
  }

  /** Model names with an index, in key order. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await read(() => this.bucket.list({ prefix: PREFIX, delimiter: '/', cursor }));
      names.push(...page.delimitedPrefixes.map((prefix) => prefix.slice(PREFIX.length, -1)));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor !== undefined);
    return names;
  }

  /** A listed version's model.json, parsed. */
  async manifest(name: string, version: number): Promise<unknown> {
    const file = await this.#file(name, version, 'model.json');
    return read(() => file.json());
  }

  async weights(name: string, version: number): Promise<ArrayBuffer> {
    const file = await this.#file(name, version, 'model.safetensors');
    return read(() => file.arrayBuffer());
  }

  /** Writes a new version's files under a freshly reserved number, then lists it; returns the updated index. */
  async add(
    name: string,
    files: { manifest: Uint8Array; weights: Uint8Array },
    record: Omit<VersionRecord, 'version'>,
    activate: boolean,
  ): Promise<{ version: number; index: ModelIndex }> {
    const version = await this.#reserve(name, files.manifest);
    try {
      await write(() => this.bucket.put(versionKey(name, version, 'model.safetensors'), files.weights));
      const index = await this.#update(name, (current) => ({
        model: name,
        next: Math.max(current?.next ?? 1, version + 1),
        active: activate || current?.active == null ? version : current.active,
        versions: [...(current?.versions ?? []), { version, ...record }].sort((a, b) => a.version - b.version),
      }));
      return { version, index };
    } catch (error) {
      await this.#deleteFiles(name, version).catch(() => undefined);
      throw error;
    }
  }

  /** Removes a version's files once the index no longer lists it. */
  async remove(name: string, version: number): Promise<ModelIndex> {
    const index = await this.#update(name, (current) => {
      const found = requireVersion(name, current, version);
      if (found.active === version) {
        throw new ApiError(409, 'version_active', `version ${version} of model "${name}" is active; activate another version first`, {
          model: name,
          version,
        });
      }
      return { ...found, versions: found.versions.filter((record) => record.version !== version) };
    });
    await this.#deleteFiles(name, version);
    return index;
  }

  async activate(name: string, version: number): Promise<ModelIndex> {
    return this.#update(name, (current) => ({ ...requireVersion(name, current, version), active: version }));
  }

  /**
   * Replaces the index with `change(current)` if no other writer replaced it in between (If-Match on its ETag, or
   * If-None-Match: * for the first), retrying on a lost race. `change` may throw an ApiError to refuse.
   */
  async #update(name: string, change: (current: ModelIndex | null) => ModelIndex): Promise<ModelIndex> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#readIndex(name);
      const next = change(current?.index ?? null);
      const onlyIf = current === null ? { etagDoesNotMatch: '*' } : { etagMatches: current.etag };
      const written = await write(() =>
        this.bucket.put(indexKey(name), JSON.stringify(next), { onlyIf, httpMetadata: { contentType: 'application/json' } }),
      );
      if (written !== null) return next;
    }
    throw busy(name);
  }

  async #file(name: string, version: number, file: string): Promise<R2ObjectBody> {
    const object = await read(() => this.bucket.get(versionKey(name, version, file)));
    if (object === null) {
      throw new ApiError(503, 'registry_unavailable', `version ${version} of model "${name}" is listed but its ${file} is missing`, {
        model: name,
        version,
      });
    }
    return object;
  }

  /** The first free number from the index's `next` on, taken by creating its model.json (If-None-Match: *). */
  async #reserve(name: string, manifest: Uint8Array): Promise<number> {
    const first = (await this.index(name))?.next ?? 1;
    for (let version = first; version < first + MAX_ATTEMPTS; version++) {
      const created = await write(() =>
        this.bucket.put(versionKey(name, version, 'model.json'), manifest, { onlyIf: { etagDoesNotMatch: '*' } }),
      );
      if (created !== null) return version;
    }
    throw busy(name);
  }

  async #readIndex(name: string): Promise<{ index: ModelIndex; etag: string } | null> {
    const object = await read(() => this.bucket.get(indexKey(name)));
    if (object === null) return null;
    return { index: await read(() => object.json<ModelIndex>()), etag: object.etag };
  }

  async #deleteFiles(name: string, version: number): Promise<void> {
    await write(() =>
      this.bucket.delete(['model.json', 'model.safetensors'].map((file) => versionKey(name, version, file))),
    );
  }
}

/** The index's record of `version`; 404 version_not_found when it lists no such version. */
export function requireVersion(name: string, index: ModelIndex | null, version: number): ModelIndex {
  if (index === null || !index.versions.some((record) => record.version === version)) {
    throw new ApiError(404, 'version_not_found', `model "${name}" has no version ${version}`, {
      model: name,
      version,
      available: index?.versions.map((record) => record.version) ?? [],
    });
  }
  return index;
}

const busy = (name: string) =>
  new ApiError(503, 'registry_busy', `model "${name}" is being changed by other requests; retry`, { model: name }, {
    'Retry-After': '1',
  });

const indexKey = (name: string) => `${PREFIX}${name}/index.json`;
const versionKey = (name: string, version: number, file: string) => `${PREFIX}${name}/versions/${version}/${file}`;

/** R2 failures are the storage's, not the caller's: 503 with Retry-After, the cause in the message. */
function storageError(action: string, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new ApiError(503, 'registry_unavailable', `the model registry could not ${action}: ${why}`, undefined, {
    'Retry-After': '1',
  });
}

async function storage<T>(action: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw storageError(action, error);
  }
}

const read = <T>(operation: () => Promise<T>) => storage('be read', operation);
const write = <T>(operation: () => Promise<T>) => storage('be written', operation);
