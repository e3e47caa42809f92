/**
 * `train-cnn`: one epoch of the digit CNN (scripts/digits/model.ts with hidden 64: the PyTorch anchor) over
 * the 8 000 training digits, Adam 1e-3, batch 64, through train.fit on the wasm backend and through PyTorch's own
 * loop (train_cnn_torch.py, 1 thread), in rounds so that load on the machine falls on both alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { optim, train } from '../../sdk/index';
import { loadDigits } from '../digits/mnist';
import { DigitNet } from '../digits/model';
import { median, python, report, seconds, torch, type Row } from './lib';

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const { train: digits } = loadDigits();
  const folder = mkdtempSync(path.join(tmpdir(), 'edgeml-bench-cnn-'));
  const images = path.join(folder, 'images.f32');
  const labels = path.join(folder, 'labels.i32');
  writeFileSync(images, digits.x.dataSync() as Float32Array);
  writeFileSync(labels, digits.y.dataSync() as Int32Array);
  const torchFound = torch();
  const sdk: number[] = [];
  const pytorch: number[] = [];
  try {
    for (let round = 1; round <= repeats; round++) {
      const model = new DigitNet({ hidden: 64 });
      const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
      sdk.push(await seconds(() => train.fit(model, digits, { epochs: 1, batchSize: 64, seed: round, optimizer })));
      model.dispose();
      if (torchFound) pytorch.push(python('train_cnn_torch.py', [images, labels, 1]).seconds);
      console.log(`round ${round}/${repeats}: edgeml ${sdk.at(-1)!.toFixed(2)} s, PyTorch ${pytorch.at(-1)?.toFixed(2) ?? 'n/a'} s`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const rows: Row[] = [
    { name: 'edgeml train.fit (wasm), one epoch of 125 batches', value: median(sdk), unit: 's', samples: sdk },
    {
      name: `PyTorch ${torchFound?.version ?? ''}, 1 thread, DataLoader`,
      value: torchFound ? median(pytorch) : undefined,
      unit: 's',
      samples: pytorch,
    },
  ];
  report(`train-cnn: the digit CNN, one epoch over ${digits.length} digits (median of ${repeats})`, rows);
}
