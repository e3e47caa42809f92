interface Entry<T> {
  value: T;
  bytes: number;
  /** Requests using the value now; an evicted value is disposed when the last of them ends. */
  users: number;
  evicted: boolean;
}

/**
 * Values built on first use and kept while they fit in `maxBytes`, the least recently used evicted first. A value is
 * only ever disposed when no request is using it (`use` holds it), so eviction never pulls a model from under a
 * request in flight. Only built values are shared: a request that finds none builds its own (workerd cancels a
 * request that waits on another request's I/O as hung), and when two build at once the first one kept wins.
 */
export class LeasedLru<T> {
  readonly #entries = new Map<string, Entry<T>>();
  #bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly dispose: (value: T) => void,
  ) {}

  /** Runs `fn` with the value for `key`, built by `build` (which weighs `bytes`) if none is kept. */
  async use<R>(key: string, bytes: number, build: () => Promise<T>, fn: (value: T) => R | Promise<R>): Promise<R> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const value = await build();
      entry = this.#entries.get(key);
      if (entry === undefined) entry = this.#add(key, bytes, value);
      else this.dispose(value); // built at the same time by another request, which kept its own
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry); // most recently used last
    entry.users++;
    try {
      return await fn(entry.value);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) this.dispose(entry.value);
    }
  }

  /** Forgets `key` (e.g. a deleted version), disposing its value once unused. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#evict(key, entry);
  }

  /** Forgets every value without disposing it: for values that are already gone (a backend reset frees all tensors). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }

  #add(key: string, bytes: number, value: T): Entry<T> {
    const entry: Entry<T> = { value, bytes, users: 0, evicted: false };
    this.#entries.set(key, entry);
    this.#bytes += bytes;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes || old === entry) break;
      this.#evict(oldKey, old);
    }
    return entry;
  }

  #evict(key: string, entry: Entry<T>): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    entry.evicted = true;
    if (entry.users === 0) this.dispose(entry.value);
  }
}
