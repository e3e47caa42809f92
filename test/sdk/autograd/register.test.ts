import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { repoRoot } from '../../helpers/fixtures';

beforeAll(ready);

describe('sdk/autograd/register.ts', () => {
  it("registers tfjs's gradients and chained ops on the engine the SDK uses, and PyTorch's |x| gradient", async () => {
    await import('../../../sdk/autograd/register');
    expect(tf.getBackend()).toBe('wasm');
    const x = tf.tensor([-2, 0, 3]);
    expect(
      Array.from(
        tf
          .grad((t: tf.Tensor) => t.abs().sum())(x)
          .dataSync(),
      ),
    ).toEqual([-1, 0, 1]);
    expect(x.square().mean().dataSync()[0]).toBeCloseTo(13 / 3, 6);
  });

  it('is not reached from the Worker, which must not pay for the @tensorflow/tfjs package', async () => {
    // The Worker's module graph as wrangler bundles it; data files (wasm, pages, weights) are left as imports.
    const { metafile } = await build({
      entryPoints: [`${repoRoot}worker/index.ts`],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      packages: 'external',
      logLevel: 'silent',
      plugins: [
        {
          name: 'data-files',
          setup: (b) =>
            b.onResolve({ filter: /\.(wasm|safetensors|html|css|png|js)$/ }, ({ path }) => ({ path, external: true })),
        },
      ],
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((file) => file.includes('sdk/'))).toBe(true);
    expect(inputs.filter((file) => file.includes('sdk/autograd/register'))).toEqual([]);
    const packages = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    expect(packages).not.toContain('@tensorflow/tfjs');
  });
});
