/** Node-only helpers (they use node:fs); the rest of sdk/image runs anywhere, the Worker included. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeImage, encodePng, type DecodeOptions } from './codec';
import type { Image } from './image';

/** Reads and decodes a PNG or JPEG file (see decodeImage). */
export async function readImage(path: string, options?: DecodeOptions): Promise<Image> {
  return decodeImage(new Uint8Array(await readFile(path)), options);
}

/** Writes the image as a PNG, creating the folder if needed. */
export async function writePng(path: string, image: Image): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encodePng(image));
}
