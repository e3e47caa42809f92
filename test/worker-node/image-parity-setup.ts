// Part of the worker project's globalSetup (called from parity-setup.ts once the tfjs backend is ready), in Node:
// computes the image routes' expected answers with the SDK and provides them, with the image fixtures, as
// 'imageParity' (see image-cases.ts). Computed each run, so it never goes stale.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import type { TestProject } from 'vitest/node';
import { load } from '../../sdk/bundle/load';
import { conv2d } from '../../sdk/functional/conv';
import { avgPool2d, maxPool2d } from '../../sdk/functional/pool';
import { decodeImage } from '../../sdk/image/codec';
import { batch, toTensor } from '../../sdk/image/layout';
import {
  CONV2D_SPECS,
  POOL_SPECS,
  tensorMaker,
  type Conv2dBody,
  type ImageParity,
  type PoolBody,
  type TensorJson,
} from './image-cases';

const IMAGES = 'test/fixtures/images';
const FEATURES = { model: 'features', bundle: 'worker/models/features', image: 'rgb.jpg' };
const SEED = 20_240_611;
/** A photo-sized JPEG without chroma subsampling (jpeg-js's encoder), which the fixtures are too small to be. */
const GENERATED_JPEG = { name: 'pattern-640x427.jpg', width: 640, height: 427 };

export async function provideImageParity(project: TestProject): Promise<void> {
  const root = project.config.root;
  const tensor = tensorMaker(SEED);
  const conv: ImageParity['conv2d'] = CONV2D_SPECS.map(({ name, body: make }) => {
    const body = make(tensor);
    return { name, body, expected: compute(() => conv2dOf(body)) };
  });
  const pool: ImageParity['pool'] = POOL_SPECS.map(({ name, body: make }) => {
    const body = make(tensor);
    return { name, body, expected: compute(() => poolOf(body)) };
  });
  const dir = path.join(root, IMAGES);
  const images = Object.fromEntries(
    readdirSync(dir)
      .filter((file) => /\.(png|jpg)$/.test(file))
      .map((file) => [file, readFileSync(path.join(dir, file)).toString('base64')]),
  );
  images[GENERATED_JPEG.name] = patternJpeg(GENERATED_JPEG.width, GENERATED_JPEG.height);
  const bundle = await load(path.join(root, FEATURES.bundle));
  try {
    const image = decodeImage(new Uint8Array(readFileSync(path.join(dir, FEATURES.image))));
    const expected = compute(() => bundle.transform(batch(toTensor(image, { channels: 3 }))));
    const parity: ImageParity = {
      conv2d: conv,
      pool,
      images,
      transform: { model: FEATURES.model, image: FEATURES.image, expected },
    };
    project.provide('imageParity', parity);
  } finally {
    bundle.dispose();
  }
}

function compute(run: () => tf.Tensor): TensorJson {
  return tf.tidy(() => {
    const y = run();
    return { shape: y.shape, data: Array.from(y.dataSync()) };
  });
}

const of = ({ shape, data }: TensorJson) => tf.tensor(data, shape);

function conv2dOf({ input, weight, bias, stride, padding, dilation }: Conv2dBody): tf.Tensor {
  return conv2d(of(input), of(weight), bias && of(bias), { stride, padding, dilation });
}

function poolOf({ input, mode, kernel_size, stride, padding, ceil_mode, count_include_pad }: PoolBody): tf.Tensor {
  const options = { kernelSize: kernel_size, stride, padding, ceilMode: ceil_mode };
  return mode === 'max' ? maxPool2d(of(input), options) : avgPool2d(of(input), { ...options, countIncludePad: count_include_pad });
}

/** A `width`×`height` RGB pattern as a baseline JPEG (4:4:4, quality 90), base64. */
function patternJpeg(width: number, height: number): string {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([(x * 7) % 256, (y * 11) % 256, (x * y) % 256, 255], (y * width + x) * 4);
  }
  return jpeg.encode({ data, width, height }, 90).data.toString('base64');
}
