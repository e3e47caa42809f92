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
