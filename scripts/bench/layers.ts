/**
 * The tfjs-layers baseline, run by lib.ts in a process of its own because importing tfjs-layers registers every
 * tfjs gradient. Same backend as the SDK (wasm, SIMD, no threads), same network (20→128→256→4, ReLU).
 *
 *   layers.ts train DATA_DIR ROWS FEATURES EPOCHS BATCH LR   model.fit (SGD, sparse categorical cross-entropy)
 *   layers.ts predict FEATURES ROWS...                       model.predict + dataSync, µs per call for each row count
 *
 * Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ready } from '../../sdk/index';
import { microsPerCall, seconds } from './lib';

function mlp(features: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [features], units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 256, activation: 'relu' }),
      tfl.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
}

async function main([mode, ...args]: string[]): Promise<unknown> {
  await ready();
  if (mode === 'train') {
    const [dir, rows, features, epochs, batchSize, lr] = args;
    const bytes = (file: string) => readFileSync(`${dir}/${file}`).buffer;
    const x = tf.tensor2d(new Float32Array(bytes('x.f32')), [Number(rows), Number(features)]);
    const y = tf.tensor1d(new Int32Array(bytes('y.i32')), 'float32');
    const model = mlp(Number(features));
    model.compile({ optimizer: tf.train.sgd(Number(lr)), loss: 'sparseCategoricalCrossentropy' });
    let loss = NaN;
    const time = await seconds(async () => {
      const history = await model.fit(x, y, { epochs: Number(epochs), batchSize: Number(batchSize), shuffle: true, verbose: 0 });
      loss = history.history.loss.at(-1) as number;
    });
    return { seconds: time, loss };
  }
  if (mode === 'predict') {
    const [features, ...rowCounts] = args.map(Number);
    const model = mlp(features);
    return Object.fromEntries(
      rowCounts.map((rows) => {
        const input = new Float32Array(rows * features).map((_, i) => (i % 7) - 3);
        const call = () => tf.tidy(() => (model.predict(tf.tensor2d(input, [rows, features])) as tf.Tensor).dataSync());
        return [rows, microsPerCall(call, { calls: rows > 1 ? 300 : 2000 })];
      }),
    );
  }
  throw new Error(`unknown mode ${mode}`);
}

console.log(JSON.stringify(await main(process.argv.slice(2))));
