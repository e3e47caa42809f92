import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { image as images } from '../../sdk/index';

type Image = images.Image;
const { readImage } = images;

/**
 * One of the sample photos in ../shared/data/images (beside the repository), or, when it is absent, a generated
 * RGB image of the same size: a colour gradient with a bright disc, which gives convolutions some edges to find.
 */
export async function sampleImage(name: string, width: number, height: number): Promise<{ image: Image; source: string }> {
  const path = fileURLToPath(new URL(`../../../shared/data/images/${name}`, import.meta.url));
  if (existsSync(path)) return { image: await readImage(path), source: path };
  const data = new Uint8Array(width * height * 3);
  const radius = Math.min(width, height) / 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = Math.hypot(x - width / 2, y - height / 2) < radius;
      data.set(inDisc ? [250, 250, 250] : [(255 * x) / width, (255 * y) / height, 96], (y * width + x) * 3);
    }
  }
  const source = `a generated ${width}×${height} image (${path} is absent)`;
  return { image: { width, height, channels: 3, data }, source };
}
