import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { ImageFolder } from '../../../sdk/data/index';
import { ArgumentError, ImageError } from '../../../sdk/errors';
import { encodePng } from '../../../sdk/image/codec';
import { solid } from '../../../sdk/image/layout';
import { compose, normalize, toTensor } from '../../../sdk/image/transforms';

beforeAll(ready);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-folder-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Writes a 2×3 grey PNG of one value at root/relative. */
async function png(relative: string, value: number, [width, height] = [2, 3]): Promise<void> {
  await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
  await writeFile(path.join(root, relative), encodePng(solid(width, height, value, 1)));
}

describe('ImageFolder', () => {
  it('reads one class per subfolder, classes sorted, files in sorted order at any depth', async () => {
    await png('dog/b.png', 51);
    await png('dog/a.PNG', 102);
    await png('cat/nested/z.png', 153);
    await png('cat/c.png', 204);
    await writeFile(path.join(root, 'cat', 'notes.txt'), 'not an image');
    await writeFile(path.join(root, 'README.png.txt'), 'not a class');
    const folder = await ImageFolder.read(root);
    expect(folder.classes).toEqual(['cat', 'dog']);
    expect(folder.classToIdx).toEqual({ cat: 0, dog: 1 });
    expect(folder.samples.map(([file, index]) => [path.relative(root, file), index])).toEqual([
      ['cat/c.png', 0], ['cat/nested/z.png', 0], ['dog/a.PNG', 1], ['dog/b.png', 1],
    ]);
    expect(folder.x.shape).toEqual([4, 1, 3, 2]);
    expect(Array.from(folder.y.dataSync())).toEqual([0, 0, 1, 1]);
    // toTensor: first pixel of each image, bytes / 255.
    const firsts = Array.from({ length: 4 }, (_, i) => folder.x.dataSync()[i * 6]);
    expect(firsts).toEqual([0.8, 0.6, 0.4, 0.2].map((v) => expect.closeTo(v, 6)));
  });

  it('applies the transform once to each image', async () => {
    await png('a/1.png', 255);
    const folder = await ImageFolder.read(root, {
      transform: compose([toTensor({ channels: 3 }), normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]),
    });
    expect(folder.x.shape).toEqual([1, 3, 3, 2]);
    expect(new Set(folder.x.dataSync())).toEqual(new Set([2]));
  });

  it('says which file differs in size, which class folder is empty, which file is broken', async () => {
    await png('a/1.png', 0);
    await png('a/2.png', 0, [4, 4]);
    await expect(ImageFolder.read(root)).rejects.toThrow(/2\.png becomes a \[1,4,4\] tensor, but .*1\.png became \[1,3,2\]/);
    await rm(path.join(root, 'a', '2.png'));
    await mkdir(path.join(root, 'b'));
    await expect(ImageFolder.read(root)).rejects.toThrow(/class folder .*b holds no \.png\/\.jpg\/\.jpeg files/);
    await writeFile(path.join(root, 'b', 'bad.png'), 'not a png');
    const error = await ImageFolder.read(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).details).toEqual({ file: path.join(root, 'b', 'bad.png') });
  });

  it('refuses a folder without class subfolders', async () => {
    await expect(ImageFolder.read(root)).rejects.toThrow(ArgumentError);
    await expect(ImageFolder.read(path.join(root, 'missing'))).rejects.toThrow(/cannot read the image folder/);
  });
});
