import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { currentBackend, ready } from '../../sdk/backend';
import { repoRoot } from '../helpers/fixtures';

describe('backend', () => {
  it('starts the wasm backend with SIMD when nothing is asked for', async () => {
    expect(process.env.EDGEML_BACKEND ?? '').toBe('');
    expect(await ready()).toBe('wasm');
    expect(currentBackend()).toBe('wasm');
    expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  });

  it('starts once, however often it is awaited', async () => {
    expect(ready()).toBe(ready());
  });
});

describe('EDGEML_BACKEND', () => {
  const startWith = (value: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./sdk/backend.ts').then(async (b) => console.log(await b.ready()))"], {
      cwd: repoRoot,
      env: { ...process.env, EDGEML_BACKEND: value },
      encoding: 'utf8',
    });

  it('forces the cpu backend', () => {
    const run = startWith('cpu');
    expect(run.stdout.trim()).toBe('cpu');
    expect(run.status).toBe(0);
  });

  it('rejects an unknown backend by name', () => {
    const run = startWith('gpu');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('EDGEML_BACKEND must be "wasm" or "cpu", not "gpu"');
  });
});

describe("the user's process", () => {
  // A user's script that imports edgeml (the wasm backend started) and then fails on its own.
  const failAfterImport = (failure: string, nodeArgs: string[] = []) =>
    spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', `await import('./sdk/index.ts'); ${failure}`], {
      cwd: repoRoot,
      env: { ...process.env, EDGEML_BACKEND: 'wasm' },
      encoding: 'utf8',
    });

  it.each([
    ['a thrown error', "throw new Error('mine')"],
    ['an unhandled rejection', "Promise.reject(new Error('mine'))"],
  ])('sees %s exit 1 with its own message and no emscripten code, as without edgeml', (_, failure) => {
    const run = failAfterImport(failure, ['--enable-source-maps']);
    expect(run.status).toBe(1); // emscripten's rethrowing handler made it 7
    expect(run.stderr).toContain('Error: mine');
    expect(run.stderr).not.toMatch(/wasm-out|WasmBackendModule|tf-backend-wasm/);
    expect(run.stderr.length).toBeLessThan(2000); // not 39 KB of minified source above the error
  });

  it('has no uncaughtException or unhandledRejection handler added by starting wasm', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "await import('./sdk/index.ts'); console.log(process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection'))"],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(run.stdout.trim()).toBe('0 0');
  });
});
