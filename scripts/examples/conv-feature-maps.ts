import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { F, Generator, image as images, nn, ready } from '../../sdk/index';
import { sampleImage } from './samples';

const { outputSize } = F;
const { batch, renderFeatureMaps, toTensor, writePng } = images;
const { Conv2d, MaxPool2d } = nn;

export const description = 'rocket.jpg through Conv2d(3, 4, 3, stride=2) and MaxPool2d(2): shapes, formula, maps';

export async function run(out: string): Promise<void> {
  await ready();
  const { image, source } = await sampleImage('rocket.jpg', 640, 427);
  console.log(`loaded ${source}`);
  const x = batch(toTensor(image));
  const conv = new Conv2d(3, 4, 3, { stride: 2, generator: new Generator(0) });
  const pool = new MaxPool2d(2);
  const features = conv.forward(x);
  const pooled = pool.forward(features);
  console.log(`input                     [${x.shape}]`);
  console.log(`Conv2d(3, 4, 3, stride=2) [${features.shape}]   weight [${conv.weight.shape}], bias [${conv.bias!.shape}]`);
  console.log(`MaxPool2d(2)              [${pooled.shape}]\n`);
  console.log('output size = ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1');
  const [, , height, width] = x.shape;
  for (const [axis, size] of [['height', height], ['width', width]] as const) {
    const convolved = outputSize(size, 3, { stride: 2 });
    const halved = outputSize(convolved, 2, { stride: 2 });
    const conv = `⌊(${size} + 0 − 1·2 − 1) / 2⌋ + 1 = ${convolved}`;
    console.log(`  ${axis}: conv ${conv};  pool ⌊(${convolved} + 0 − 1·1 − 1) / 2⌋ + 1 = ${halved}`);
  }
  const labels = ['conv_0', 'conv_1', 'conv_2', 'conv_3'];
  for (const [name, maps] of [['conv-feature-maps.png', features], ['pooled-feature-maps.png', pooled]] as const) {
    const path = join(out, name);
    await writePng(path, renderFeatureMaps(maps, { labels }));
    console.log(`\nwrote ${path} (each map min-max scaled to 0–255)`);
  }
  tf.dispose([x, features, pooled]);
}
