import * as tf from '@tensorflow/tfjs-core';
import type { Context } from 'hono';
import { encodePng, type Image } from '../../sdk/serve';
import type { AppEnv } from '../bindings';
import { featureMapPicture, pngHeaders } from './image-body';
import { checkAnswer, type ImageLimits } from './limits';
import { outputJson } from './tensor-json';

export type Output = { shape: number[]; data: Float32Array } | { shape: number[]; png: Uint8Array };

/**
 * Runs `compute` in a tidy scope (every tensor it makes is freed, also when it throws) and keeps its output as JSON
 * data or as a feature-map PNG, giving way to predictions between computing and encoding.
 */
export async function run(
  c: Context<AppEnv>,
  format: 'png' | 'json',
  labels: readonly string[] | undefined,
  limits: ImageLimits,
  compute: () => tf.Tensor,
): Promise<Output> {
  let result!: { shape: number[]; data: Float32Array } | { shape: number[]; picture: Image };
  // A block body: tidy walks whatever it is given back, a typed array element by element.
  tf.tidy(() => {
    const y = compute();
    if (format === 'png') {
      result = { shape: y.shape, picture: featureMapPicture(y, labels) };
    } else {
      checkAnswer(format, y.shape, limits);
      result = { shape: y.shape, data: y.dataSync() as Float32Array };
    }
  });
  if (!('picture' in result)) return result;
  await c.var.giveWay();
  return { shape: result.shape, png: encodePng(result.picture) };
}

export function answer(c: Context<AppEnv>, output: Output, head: Record<string, unknown> = {}): Response {
  if ('png' in output) return c.body(output.png as Uint8Array<ArrayBuffer>, 200, pngHeaders(output.shape));
  return c.body(outputJson(head, output.shape, output.data), 200, { 'Content-Type': 'application/json; charset=UTF-8' });
}

