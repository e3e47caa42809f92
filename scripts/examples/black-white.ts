import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { image as images, ready } from '../../sdk/index';

const { solid, toTensor, writePng } = images;

export const description = "the course's all-black and all-white 200×200×3 images (0 and 255): tensors and PNG files";

export async function run(out: string): Promise<void> {
  await ready();
  for (const [name, value] of [['black', 0], ['white', 255]] as const) {
    // np.zeros((200, 200, 3), dtype=np.uint8) and np.full((200, 200, 3), 255, dtype=np.uint8): HWC bytes
    const image = solid(200, 200, value);
    const tensor = toTensor(image);
    const path = join(out, `${name}.png`);
    await writePng(path, image);
    console.log(
      `${name}: ${image.height}×${image.width}×${image.channels} bytes, all ${value}; as a tensor [${tensor.shape}] ` +
        `with values from ${tf.min(tensor).dataSync()[0]} to ${tf.max(tensor).dataSync()[0]}; saved to ${path}`,
    );
  }
}
