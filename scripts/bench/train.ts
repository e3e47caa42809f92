/**
 * `train`: the course configuration (raw features, 20→128→256→4 ReLU MLP, SGD lr 1e-3, batch 8, 50 epochs over the
 * 1600 training rows = 10 000 steps) through train.fit and through the course's own loop written by hand, against
 * PyTorch and tfjs-layers' model.fit doing the same, in rounds so that load on the machine falls on every contender
 * alike. Then the tuned recipe, end to end.
 */
import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { autograd, data, F, optim, train as sdkTrain } from '../../sdk/index';

type Dataset = data.Dataset;
import { buildClassifier, recipeOptimizer, recipes, trainClassifier } from '../phone-price/recipe';
import { courseData, exportRows, layers, median, python, report, seconds, torch, type Row } from './lib';

const course = recipes.course;

async function sdkSeconds(rows: Dataset): Promise<number> {
  const model = buildClassifier(rows.features.length, data.classCount(rows), course);
  const optimizer = recipeOptimizer(model, course);
  try {
    return await seconds(() =>
      sdkTrain.fit(model, rows, { epochs: course.epochs, batchSize: course.batchSize, seed: course.seed, optimizer }),
    );
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** The course's loop as a user writes it: DataLoader batches, zeroGrad, autograd.backward, step. */
async function loopSeconds(rows: Dataset): Promise<number> {
  const model = buildClassifier(rows.features.length, data.classCount(rows), course);
  const x = tf.tensor2d(rows.x, [rows.rows, rows.features.length]);
  const y = tf.tensor1d(rows.y, 'int32');
  const loader = new data.DataLoader(new data.TensorDataset(x, y), {
    batchSize: course.batchSize,
    shuffle: true,
    seed: course.seed,
  });
  const optimizer = new optim.SGD(model.parameters(), { lr: course.lr });
  try {
    return await seconds(() => {
      for (let epoch = 0; epoch < course.epochs; epoch++) {
        for (const batch of loader) {
          model.train();
          optimizer.zeroGrad();
          const loss = autograd.backward(() => F.crossEntropy(model.forward(batch.x), batch.y));
          optimizer.step();
          loss.dispose();
        }
      }
    });
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
}

export async function run({ repeats }: { repeats: number }): Promise<void> {
  const { file, dataset, train } = await courseData();
  const steps = course.epochs * Math.ceil(train.rows / course.batchSize);
  console.log(`data: ${file}, ${train.rows} training rows; ${course.epochs} epochs of batch ${course.batchSize} = ${steps} steps`);
  const dir = exportRows(train);
  const shape = [dir, train.rows, train.features.length];
  const pytorch = torch();
  const contenders: [string, () => Promise<number> | number][] = [
    ['edgeml train.fit (wasm)', () => sdkSeconds(train)],
    ['edgeml hand-written loop: DataLoader, zeroGrad, autograd.backward, step (wasm)', () => loopSeconds(train)],
    ['tfjs-layers model.fit (wasm)', () => layers(['train', ...shape, course.epochs, course.batchSize, course.lr]).seconds],
  ];
  if (pytorch) {
    const loop = (threads: number, loader: string) => () =>
      python('train_torch.py', [...shape, '--threads', threads, '--loader', loader]).seconds as number;
    contenders.push(
      [`PyTorch ${pytorch.version}, 1 thread, DataLoader (the course's loop)`, loop(1, 'dataloader')],
      [`PyTorch ${pytorch.version}, 1 thread, batches sliced from a shuffled index`, loop(1, 'index')],
    );
    // The default thread count is what a plain script gets; where it is 1 the rows above already show it.
    if (pytorch.threads > 1) contenders.push([`PyTorch, default ${pytorch.threads} threads, DataLoader`, loop(pytorch.threads, 'dataloader')]);
    else console.log("PyTorch's default thread count here is 1 (torch.get_num_threads()): the 1-thread rows are its default");
  }
  const samples = contenders.map((): number[] => []);
  for (let round = 1; round <= repeats; round++) {
    for (const [i, [, measure]] of contenders.entries()) samples[i].push(await measure());
    console.log(`round ${round}/${repeats}: ${samples.map((s) => s.at(-1)!.toFixed(2)).join(' s, ')} s`);
  }
  rmSync(dir, { recursive: true });
  const rows: Row[] = contenders.map(([name], i) => ({ name, value: median(samples[i]), unit: 's', samples: samples[i] }));
  report(`train: course configuration, ${steps} steps (median of ${repeats})`, rows);

  const tuned = recipes.tuned;
  const history: { epoch: number; at: number; accuracy: number }[] = [];
  let elapsed = 0;
  const result = await trainClassifier(dataset, tuned, {
    onEpoch: (e) => void history.push({ epoch: e.epoch, at: (elapsed += e.seconds), accuracy: e.valAccuracy ?? NaN }),
  });
  const reached = history.find((h) => h.accuracy >= result.test.accuracy)!;
  console.log(
    `\ntuned recipe (${tuned.epochs} epochs of batch ${tuned.batchSize}, Adam + cosine + L1, standardised features, ` +
      `validation every epoch): ${result.seconds.toFixed(2)} s end to end to test accuracy ` +
      `${(result.test.accuracy * 100).toFixed(2)} %, first reached at epoch ${reached.epoch}, ${reached.at.toFixed(2)} s in`,
  );
  result.model.dispose();
}
