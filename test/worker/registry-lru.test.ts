// The serving cache of published models: least recently used first out, never disposed while a request uses it.
import { describe, expect, it } from 'vitest';
import { LeasedLru } from '../../worker/registry/lru';

function cache(maxBytes: number) {
  const disposed: string[] = [];
  const lru = new LeasedLru<string>(maxBytes, (value) => disposed.push(value));
  const use = (key: string, bytes = 10) => lru.use(key, bytes, async () => key, (value) => value);
  return { lru, disposed, use };
}

/** Lets pending promise callbacks (disposals) run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('LeasedLru', () => {
  it('evicts the least recently used value past the byte budget, disposing it', async () => {
    const { lru, disposed, use } = cache(20);
    await use('a');
    await use('b');
    await use('a'); // b is now the least recently used
    await use('c');
    expect(lru.keys()).toEqual(['a', 'c']);
    expect(disposed).toEqual(['b']);
    expect(lru.bytes).toBe(20);
  });

  it('shares the first value kept among requests that built at the same time, disposing the others', async () => {
    const { lru, disposed } = cache(100);
    let builds = 0;
    const build = async () => `built ${++builds}`;
    const values = await Promise.all([1, 2, 3].map(() => lru.use('k', 10, build, (value) => value)));
    expect(values).toEqual(['built 1', 'built 1', 'built 1']);
    expect(disposed).toEqual(['built 2', 'built 3']);
    expect(lru.bytes).toBe(10);
    expect(await lru.use('k', 10, build, (value) => value)).toBe('built 1'); // kept: not built again
    expect(builds).toBe(3);
  });

  it('disposes an evicted value only after the request using it ends', async () => {
    const { lru, disposed, use } = cache(10);
    let finish!: () => void;
    const inUse = lru.use('a', 10, async () => 'a', (value) => new Promise<string>((resolve) => (finish = () => resolve(value))));
    await settled();
    await use('b'); // evicts a while it is in use
    expect(lru.keys()).toEqual(['b']);
    expect(disposed).toEqual([]);
    finish();
    expect(await inUse).toBe('a');
    await settled();
    expect(disposed).toEqual(['a']);
  });

  it('forgets a build that fails, so the next use builds again', async () => {
    const { lru } = cache(100);
    const failing = lru.use('k', 10, async () => Promise.reject(new Error('no')), (value) => value);
    await expect(failing).rejects.toThrow('no');
    expect(lru.keys()).toEqual([]);
    expect(lru.bytes).toBe(0);
    expect(await lru.use('k', 10, async () => 'ok', (value) => value)).toBe('ok');
  });

  it('delete disposes at once when unused; clear forgets without disposing', async () => {
    const { lru, disposed, use } = cache(100);
    await use('a');
    await use('b');
    lru.delete('a');
    await settled();
    expect(disposed).toEqual(['a']);
    lru.clear();
    await settled();
    expect(disposed).toEqual(['a']);
    expect(lru.keys()).toEqual([]);
    expect(lru.bytes).toBe(0);
  });
});
