import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Linear, ReLU, Sequential, summary } from '../../../sdk/nn/index';

beforeAll(ready);

describe('nn.summary', () => {
  it("lists the course MLP's layers, output shapes and parameter counts like torchsummary", () => {
    const model = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 256), new ReLU(), new Linear(256, 4));
    const s = summary(model, [16, 20]);
    expect(s.rows).toEqual([
      { layer: 'Linear-1', outputShape: [-1, 128], parameters: 2688 },
      { layer: 'ReLU-2', outputShape: [-1, 128], parameters: 0 },
      { layer: 'Linear-3', outputShape: [-1, 256], parameters: 33024 },
      { layer: 'ReLU-4', outputShape: [-1, 256], parameters: 0 },
      { layer: 'Linear-5', outputShape: [-1, 4], parameters: 1028 },
    ]);
    expect(s.totalParameters).toBe(36740);
    expect(String(s)).toContain('Total params: 36,740');
    expect(String(s)).toMatch(/Linear-3\s+\[-1, 256\]\s+33,024/);
  });
});
