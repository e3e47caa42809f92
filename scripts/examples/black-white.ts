import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ready } from '../../sdk/backend';
import { writePng } from '../../sdk/image/file';
import { solid, toTensor } from '../../sdk/image/layout';

export const description = 'an all-black and an all-white image: their tensors (0 and 1) and PNG files';

export async function run(out: string): Promise<void> {
  await ready();
  for (const [name, value] of [['black', 0], ['white', 255]] as const) {
    const image = solid(64, 48, value);
    const tensor = toTensor(image);
    const path = join(out, `${name}.png`);
    await writePng(path, image);
    console.log(
      `${name}: ${image.width}×${image.height}, ${image.channels} channels of ${value}; as a tensor [${tensor.shape}] ` +
        `with values from ${tf.min(tensor).dataSync()[0]} to ${tf.max(tensor).dataSync()[0]}; saved to ${path}`,
    );
  }
}
