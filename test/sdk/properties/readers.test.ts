import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { fromBytes } from '../../../sdk/bundle/bundle';
import { decodeSafetensors } from '../../../sdk/bundle/safetensors';
import { parseCsv } from '../../../sdk/data/csv';
import { decodeImage, imageInfo } from '../../../sdk/image/codec';
import { repoRoot } from '../../helpers/fixtures';
import { mutatedBytes } from '../../helpers/mutations';
import { expectOnlyTypedErrors, propertyParameters } from '../../helpers/properties';

const imageDir = path.join(repoRoot, 'test/fixtures/images');
const images = readdirSync(imageDir)
  .filter((name) => /\.(png|jpg)$/.test(name))
  .map((name) => new Uint8Array(readFileSync(path.join(imageDir, name))));
const weights = new Uint8Array(readFileSync(path.join(repoRoot, 'worker/models/features/model.safetensors')));
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'worker/models/features/model.json'), 'utf8'));
const csv = readFileSync(path.join(repoRoot, 'data/phone-price.csv'), 'utf8').split('\n').slice(0, 12).join('\n');

beforeAll(ready);

describe("the SDK's readers throw only edgeml's typed errors", () => {
  it('image decoding of random bytes and of mutated real PNG and JPEG files', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...images).chain(mutatedBytes));
    fc.assert(
      fc.property(bytes, (data) => {
        expectOnlyTypedErrors(() => imageInfo(data));
        expectOnlyTypedErrors(() => decodeImage(data, { maxPixels: 1 << 16 }));
      }),
      propertyParameters,
    );
  });

  it('CSV parsing of mutated text', () => {
    const mutations = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.nat(csv.length), fc.string({ maxLength: 8 })).map(([at, s]) => csv.slice(0, at) + s + csv.slice(at)),
      fc.tuple(fc.nat(csv.length), fc.nat(40)).map(([at, n]) => csv.slice(0, at) + csv.slice(at + n)),
      fc.constantFrom('\uFEFF', '"', '""', ',', '\r\n', '\n\n', 'NaN', '1e999', '-', ' ').map((s) => csv.replace('842', s)),
    );
    fc.assert(
      fc.property(mutations, (text) => expectOnlyTypedErrors(() => parseCsv(text, { target: 'price_range', file: 'm.csv' }))),
      propertyParameters,
    );
  });

  it('safetensors decoding of mutated weights, leaking no tensors', () => {
    fc.assert(
      fc.property(mutatedBytes(weights), (data) => {
        const before = tf.memory().numTensors;
        expectOnlyTypedErrors(() => tf.dispose(Object.values(decodeSafetensors(data))));
        return tf.memory().numTensors === before;
      }),
      propertyParameters,
    );
  });

  it('bundle loading of mutated manifests and weights', async () => {
    const manifests = fc.oneof(
      fc.constant(manifest),
      fc.jsonValue(),
      fc.tuple(fc.constantFrom(...Object.keys(manifest)), fc.jsonValue()).map(([key, value]) => ({ ...manifest, [key]: value })),
    );
    await fc.assert(
      fc.asyncProperty(manifests, mutatedBytes(weights), async (m, w) => {
        try {
          (await fromBytes(m, w)).dispose();
        } catch (error) {
          expectOnlyTypedErrors(() => {
            throw error;
          });
        }
      }),
      { ...propertyParameters, numRuns: Math.ceil(propertyParameters.numRuns! / 4) },
    );
  });
});
