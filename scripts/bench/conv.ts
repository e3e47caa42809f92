/**
 * `conv`: a 1×3×224×224 image through Conv2d(3, 4, kernel 3, stride 2) and MaxPool2d(2), forward only, against
 * PyTorch's conv2d + max_pool2d (under no_grad). The SDK's rows, NCHW in and out as PyTorch's: the two layers as an
 * nn.Sequential in eval mode, as a loaded model runs them (the `features` bundle is this model), where the pair
 * stays in NHWC between the layers; the same modules called one after the other, each moving its data to NHWC and
 * back; the same in training mode, where Conv2d keeps no filter and tfjs builds its convolution anew on every call.
 * A last row runs tfjs's own NHWC kernels on data already in NHWC, with no layout change and the filter made once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nn } from '../../sdk/index';
import { median, microsPerCall, python, report, torch } from './lib';

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const conv = new nn.Conv2d(3, 4, 3, { stride: 2 });
  const pool = new nn.MaxPool2d(2);
  const image = tf.randomUniform([1, 3, 224, 224]);
  const nhwc = tf.transpose(image, [0, 2, 3, 1]) as tf.Tensor4D;
  const filter = tf.transpose(conv.weight, [2, 3, 1, 0]) as tf.Tensor4D;
  const pytorch = torch();
  const sequential = new nn.Sequential(conv, pool);
  const modules = (mode: boolean) => {
    [conv, pool].forEach((m) => m.train(mode));
    return microsPerCall(() => tf.tidy(() => pool.forward(conv.forward(image))).dispose(), { calls: 200 });
  };
  const samples: number[][] = [[], [], [], [], []];
  for (let round = 0; round < repeats; round++) {
    sequential.eval();
    samples[0].push(microsPerCall(() => sequential.forward(image).dispose(), { calls: 200 }));
    samples[1].push(modules(false));
    samples[2].push(modules(true));
    samples[3].push(
      microsPerCall(
        () => tf.tidy(() => tf.maxPool(tf.add(tf.conv2d(nhwc, filter, 2, 'valid'), conv.bias!) as tf.Tensor4D, 2, 2, 'valid')).dispose(),
        { calls: 200 },
      ),
    );
    if (pytorch) samples[4].push(python('infer_torch.py', ['conv', '--threads', 1])['conv+pool']);
  }
  const names = [
    'edgeml nn.Sequential(Conv2d, MaxPool2d), eval mode (wasm, NCHW in and out)',
    'edgeml, the same modules called one by one',
    'edgeml, the same modules in training mode',
    'tfjs conv2d + add + maxPool (wasm, NHWC in and out)',
    `PyTorch ${pytorch ? pytorch.version : ''}, 1 thread, conv2d + max_pool2d`,
  ];
  report(
    `conv: 1×3×224×224 → Conv2d(3, 4, k3, s2) + MaxPool2d(2), forward (median of ${repeats} rounds)`,
    names.map((name, i) => ({ name, value: samples[i].length ? median(samples[i]) : undefined, unit: 'µs', samples: samples[i] })),
  );
  tf.dispose([image, nhwc, filter]);
  conv.dispose();
}
