// bundle.load and fromBytes on inputs that used to escape as raw errors or cost gigabytes: each gives a BundleError,
// and a manifest whose weights cannot fit is refused before any module is built (build is counted, not timed).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes } from '../../../sdk/bundle/bundle';
import { load } from '../../../sdk/bundle/load';
import { ArgumentError, BundleError } from '../../../sdk/errors';
import { build } from '../../../sdk/nn/build';
import { repoRoot } from '../../helpers/fixtures';

vi.mock('../../../sdk/nn/build', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../sdk/nn/build')>();
  return { ...original, build: vi.fn(original.build) };
});

const corpus = path.join(repoRoot, 'test/fixtures/bad');
const manifestOf = (file: string) => JSON.parse(readFileSync(path.join(corpus, file), 'utf8'));
const weights = new Uint8Array(readFileSync(path.join(corpus, 'bundle-tiny.safetensors')));
let root: string;

beforeAll(async () => {
  await ready();
  root = await mkdtemp(path.join(tmpdir(), 'edgeml-bundle-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));
beforeEach(() => {
  vi.mocked(build).mockClear();
});

async function bundleError(action: () => Promise<unknown>): Promise<BundleError> {
  const outcome = await action().then(
    () => expect.fail('expected a BundleError, but the bundle loaded'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(BundleError);
  return outcome as BundleError;
}

describe('weights that cannot fit the architecture are refused before a module is built', () => {
  it.each([
    ['bundle-linear-30000.json', 'state dict entry 0.weight has shape [2,2], the model needs [30000,30000]'],
    ['bundle-linear-1e9.json', 'at most 1073741823 fit the backend'],
    ['bundle-conv-kernel-1e5.json', 'at most 1073741823 fit the backend'],
  ])('%s', async (file, words) => {
    const error = await bundleError(() => fromBytes(manifestOf(file), weights));
    expect(error.message).toContain(words);
    expect(build).not.toHaveBeenCalled();
  });

  it('builds the model once the weights fit', async () => {
    (await fromBytes(manifestOf('bundle-valid.json'), weights)).dispose();
    expect(build).toHaveBeenCalledTimes(1);
  });
});

describe('bundle.load on paths that are folders', () => {
  it.each([
    ['the weights file', 'model.safetensors'],
    ['the manifest', 'model.json'],
  ])('says %s is a folder, as a BundleError, not a raw EISDIR', async (_, folder) => {
    const dir = await mkdtemp(path.join(root, 'bundle-'));
    if (folder !== 'model.json') await writeFile(path.join(dir, 'model.json'), JSON.stringify(manifestOf('bundle-valid.json')));
    await mkdir(path.join(dir, folder));
    const error = await bundleError(() => load(dir));
    expect(error.message).toBe(`bundle ${dir}: ${folder} is a folder, not a file; the bundle needs the file itself`);
    expect(error.details).toMatchObject({ file: folder, path: dir });
  });
});

describe('nn.build refuses, before allocating or recursing', () => {
  const refusal = (spec: unknown) => {
    try {
      build(spec).dispose();
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentError);
      return (error as ArgumentError).message;
    }
    return expect.fail('expected an ArgumentError');
  };

  it.each(['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf'])('type "%s", as unknown', (type) => {
    expect(refusal({ type })).toMatch(`unknown module type "${type}"; known types: Sequential, Linear`);
    expect(refusal({ type: 'Sequential', layers: [{ type }] })).toMatch(`unknown module type "${type}"`);
  });

  it('a Sequential nested 10 000 deep', () => {
    const spec = JSON.parse(`${'{"type":"Sequential","layers":['.repeat(10_000)}${']}'.repeat(10_000)}`);
    expect(refusal(spec)).toMatch('the spec nests modules more than 64 levels deep');
  });

  it('a Sequential nested exactly as deep as allowed builds', () => {
    const spec = JSON.parse(`${'{"type":"Sequential","layers":['.repeat(63)}{"type":"ReLU"}${']}'.repeat(63)}`);
    build(spec).dispose();
  });
});
