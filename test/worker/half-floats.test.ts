/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Inside workerd, which has Float16Array, F16 weights are widened by the runtime (sdk/bundle/safetensors.ts) rather
// than by the element loop that Node 20 runs: both must give the same float32 for every one of the 65 536 halves.
import { beforeAll, describe, expect, it } from 'vitest';
import { unpackSafetensors, decodeTensors, packSafetensors } from '../../sdk/bundle/safetensors';
import { halfToFloat } from '../../sdk/half-float';
import { startBackend } from '../../worker/wasm';

beforeAll(async () => {
  await startBackend();
});

const everyHalf = Uint16Array.from({ length: 1 << 16 }, (_, bits) => bits);

describe('F16 weights in workerd', () => {
  it('runs where Float16Array exists', () => {
    expect(typeof (globalThis as { Float16Array?: unknown }).Float16Array).toBe('function');
  });

  it.each([0, 1])('widens every half as halfToFloat does, the file %i byte(s) into its buffer', async (shift) => {
    const file = packSafetensors({ h: { dtype: 'F16', shape: [1 << 16], data: new Uint8Array(everyHalf.buffer) } });
    const shifted = new Uint8Array(file.length + shift);
    shifted.set(file, shift);
    const tensors = decodeTensors(unpackSafetensors(shifted.subarray(shift)).tensors);
    const values = (await tensors.h.data()) as Float32Array;
    tensors.h.dispose();
    const differing = everyHalf.filter((bits) => !Object.is(values[bits], Math.fround(halfToFloat(bits))));
    // Object.is tells −0 from +0 and takes any NaN for any other.
    expect(Array.from(differing)).toEqual([]);
  });
});
