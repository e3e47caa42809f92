/**
 * `predict`: 1 row and 400 rows (the course's test split) through a saved and reloaded bundle's predictRows — the
 * SDK's one inference path, as the Worker runs it — against tfjs-layers' model.predict and PyTorch (eval, no_grad),
 * all with the course's 20→128→256→4 network. Microseconds per call: each figure is the median over the rounds of
 * each round's median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundle as bundles } from '../../sdk/index';
import { buildClassifier, recipes } from '../phone-price/recipe';
import { courseData, layers, median, microsPerCall, python, report, torch } from './lib';

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const { file, test } = await courseData();
  const width = test.features.length;
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'edgeml-bench-')), 'course');
  const model = buildClassifier(width, 4, recipes.course);
  await bundles.save(dir, { model, features: test.features });
  model.dispose();
  const bundle = await bundles.load(dir);
  rmSync(path.dirname(dir), { recursive: true });
  console.log(`rows: the test split of ${file}; model: the course's, untrained, saved as a bundle without a scaler`);

  const rowCounts = [1, test.rows];
  const pytorch = torch();
  const samples = { sdk: rowCounts.map((): number[] => []), layers: rowCounts.map((): number[] => []), torch: rowCounts.map((): number[] => []) };
  for (let round = 0; round < repeats; round++) {
    rowCounts.forEach((rows, i) => {
      const x = test.x.subarray(0, rows * width);
      samples.sdk[i].push(microsPerCall(() => bundle.predictRows(x), { calls: rows > 1 ? 300 : 5000 }));
    });
    const theirs = layers(['predict', width, ...rowCounts]);
    const torchs = pytorch && python('infer_torch.py', ['predict', width, ...rowCounts, '--threads', 1]);
    rowCounts.forEach((rows, i) => {
      samples.layers[i].push(theirs[rows]);
      if (torchs) samples.torch[i].push(torchs[rows]);
    });
  }
  rowCounts.forEach((rows, i) => {
    const row = (name: string, values: number[]) => ({ name, value: values.length ? median(values) : undefined, unit: 'µs', samples: values });
    report(`predict: ${rows} row${rows > 1 ? 's' : ''} (median of ${repeats} rounds)`, [
      row('edgeml Bundle.predictRows (wasm)', samples.sdk[i]),
      row('tfjs-layers model.predict + dataSync (wasm)', samples.layers[i]),
      row(`PyTorch ${pytorch ? pytorch.version : ''}, 1 thread, eval + no_grad, softmax + argmax`, samples.torch[i]),
    ]);
  });
  bundle.dispose();
}
