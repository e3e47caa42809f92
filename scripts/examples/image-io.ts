import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { image as images, ready } from '../../sdk/index';
import { sampleImage } from './samples';

const { batch, fromTensor, toTensor, writePng } = images;

export const description = 'load chelsea.png, show it as HWC and CHW, batch it to NCHW, save a copy';

export async function run(out: string): Promise<void> {
  await ready();
  const { image, source } = await sampleImage('chelsea.png', 451, 300);
  console.log(`loaded ${source}`);
  console.log(`as decoded (HWC, like PIL/numpy): [${image.height}, ${image.width}, ${image.channels}], 8-bit`);
  const chw = toTensor(image);
  console.log(`as a tensor (CHW, like torchvision ToTensor): [${chw.shape}], float32 in [0, 1]`);
  const [r, g, b] = image.data;
  const first = Array.from(tf.slice(chw, [0, 0, 0], [3, 1, 1]).dataSync(), (v) => v.toFixed(4));
  console.log(`top-left pixel: (${r}, ${g}, ${b}) in the image, (${first.join(', ')}) in the tensor (÷ 255)`);
  console.log(`batched (NCHW, like unsqueeze(0)): [${batch(chw).shape}]`);
  const copy = fromTensor(chw);
  const path = join(out, 'image-copy.png');
  await writePng(path, copy);
  const identical = copy.data.every((v, i) => v === image.data[i]);
  const verdict = identical ? 'identical to' : 'DIFFERENT from';
  console.log(`saved ${path} (tensor → image → PNG; ${verdict} the original pixels)`);
}
