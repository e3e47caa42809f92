// bundle.fromBytes checks weights against nn.stateShapes(spec) before building, so the shapes computed from a spec
// must be exactly the state dict the built module has: same keys, same order, same shapes, for every module type.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { build, buildableTypes, stateShapes } from '../../../sdk/nn/build';

beforeAll(ready);

const specs: Record<string, unknown> = {
  Linear: { type: 'Linear', inFeatures: 3, outFeatures: 5 },
  'Linear without bias': { type: 'Linear', inFeatures: 3, outFeatures: 5, bias: false },
  Conv2d: { type: 'Conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 1] },
  'Conv2d without bias': { type: 'Conv2d', inChannels: 1, outChannels: 2, kernelSize: 5, bias: false },
  BatchNorm1d: { type: 'BatchNorm1d', numFeatures: 6 },
  'BatchNorm2d without affine': { type: 'BatchNorm2d', numFeatures: 3, affine: false },
  'BatchNorm1d without running stats': { type: 'BatchNorm1d', numFeatures: 2, trackRunningStats: false },
  'parameter-free modules': {
    type: 'Sequential',
    layers: [
      { type: 'ReLU' },
      { type: 'Sigmoid' },
      { type: 'Dropout' },
      { type: 'Flatten' },
      { type: 'MaxPool2d', kernelSize: 2 },
      { type: 'AvgPool2d', kernelSize: 2 },
    ],
  },
  'nested Sequentials': {
    type: 'Sequential',
    layers: [
      { type: 'Conv2d', inChannels: 1, outChannels: 2, kernelSize: 3 },
      { type: 'Sequential', layers: [{ type: 'BatchNorm2d', numFeatures: 2 }, { type: 'ReLU' }] },
      { type: 'Flatten' },
      { type: 'Linear', inFeatures: 8, outFeatures: 2 },
    ],
  },
};

describe('nn.stateShapes gives the state dict nn.build makes, without building', () => {
  it.each(Object.entries(specs))('%s', (_, spec) => {
    const model = build(spec);
    const built = Object.entries(model.stateDict()).map(([key, tensor]) => [key, tensor.shape]);
    model.dispose();
    expect(stateShapes(spec)).toEqual(built);
  });

  it('covers every buildable type', () => {
    const covered = new Set(JSON.stringify(specs).match(/(?<="type":")\w+/g));
    expect(buildableTypes().filter((type) => !covered.has(type))).toEqual([]);
  });
});
