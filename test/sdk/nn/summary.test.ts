import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { relu } from '../../../sdk/functional/activation';
import * as nn from '../../../sdk/nn/index';
import { PhonePriceModel } from '../../helpers/models';

beforeAll(ready);

class Net extends nn.Module {
  conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(2, { affine: false });
  pool = new nn.MaxPool2d(2);
  head = new nn.Sequential(new nn.Flatten(), new nn.Linear(2 * 3 * 3, 4));
  forward(x: tf.Tensor): tf.Tensor {
    return this.head.forward(this.pool.forward(relu(this.bn.forward(this.conv.forward(x)))));
  }
}

// Each expected table is what torchsummary 1.5.1's summary_string printed for the same model in PyTorch.
describe('nn.summary', () => {
  it("prints the course's model for input_size=(16, 20) exactly as torchsummary does", () => {
    expect(String(nn.summary(new PhonePriceModel(20, 4), [16, 20]))).toBe(
      [
        '----------------------------------------------------------------',
        '        Layer (type)               Output Shape         Param #',
        '================================================================',
        '            Linear-1              [-1, 16, 128]           2,688',
        '            Linear-2              [-1, 16, 256]          33,024',
        '            Linear-3                [-1, 16, 4]           1,028',
        '   PhonePriceModel-4                [-1, 16, 4]               0',
        '================================================================',
        'Total params: 36,740',
        'Trainable params: 36,740',
        'Non-trainable params: 0',
        '----------------------------------------------------------------',
        'Input size (MB): 0.00',
        'Forward/backward pass size (MB): 0.05',
        'Params size (MB): 0.14',
        'Estimated Total Size (MB): 0.19',
        '----------------------------------------------------------------',
        '',
      ].join('\n'),
    );
  });

  it('lists every module at any depth that returns an output, but not Sequential, with its own parameters', () => {
    const s = nn.summary(new Net(), [1, 6, 6]);
    expect(s.rows).toEqual([
      { layer: 'Conv2d-1', outputShape: [-1, 2, 6, 6], parameters: 20 },
      { layer: 'BatchNorm2d-2', outputShape: [-1, 2, 6, 6], parameters: 0 },
      { layer: 'MaxPool2d-3', outputShape: [-1, 2, 3, 3], parameters: 0 },
      { layer: 'Flatten-4', outputShape: [-1, 18], parameters: 0 },
      { layer: 'Linear-5', outputShape: [-1, 4], parameters: 76 },
      { layer: 'Net-6', outputShape: [-1, 4], parameters: 0 },
    ]);
    expect([s.totalParameters, s.trainableParameters]).toEqual([96, 96]);
  });

  it("shows a batch size, and rounds a size halfway between hundredths to even as Python's %0.2f does", () => {
    const text = String(nn.summary(new nn.Sequential(new nn.Linear(255, 128)), [255], { batchSize: 8 }));
    expect(text).toContain('            Linear-1                   [8, 128]          32,768\n');
    expect(text).toContain(
      'Input size (MB): 0.01\nForward/backward pass size (MB): 0.01\nParams size (MB): 0.12\nEstimated Total Size (MB): 0.14\n',
    );
  });

  it('counts frozen parameters as non-trainable', () => {
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 2));
    (model.layers[0] as nn.Linear).weight.trainable = false;
    const s = nn.summary(model, [3]);
    expect([s.totalParameters, s.trainableParameters]).toEqual([14, 8]);
    expect(String(s)).toContain('Trainable params: 8\nNon-trainable params: 6\n');
  });

  it("leaves each module's mode, the statistics and the memory as they were", () => {
    const model = new Net();
    model.bn.eval();
    const before = tf.memory().numTensors;
    const stats = Array.from(model.bn.runningMean!.dataSync());
    nn.summary(model, [1, 6, 6]);
    expect(model.modules().map((m) => m.training)).toEqual([true, true, false, true, true, true, true]);
    expect(Array.from(model.bn.runningMean!.dataSync())).toEqual(stats);
    expect(Object.hasOwn(model.conv, 'forward')).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
