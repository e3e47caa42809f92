/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../sdk/bundle/bundle';
import { features, get, keyed, MODEL, post, predict } from './helpers';

interface PredictBody {
  model: string;
  predictions: Prediction[];
}

async function labels(): Promise<string[]> {
  return ((await (await get(`/v1/models/${MODEL}`)).json()) as { labels: string[] }).labels;
}

describe('POST /v1/models/{name}/predict', () => {
  it('answers {model, predictions: [{class, label, probabilities}]}, one per instance, in order', async () => {
    const names = await features();
    const low = names.map(() => 0);
    const high = names.map((_, i) => 1000 + i);
    const response = await predict([low, keyed(names, high), low]);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = (await response.json()) as PredictBody;
    expect(body.model).toBe(MODEL);
    expect(body.predictions).toHaveLength(3);
    const labelNames = await labels();
    for (const { class: winner, label, probabilities } of body.predictions) {
      expect(probabilities).toHaveLength(labelNames.length);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(winner).toBe(probabilities.indexOf(Math.max(...probabilities)));
      expect(label).toBe(labelNames[winner]);
    }
    expect(body.predictions[2]).toEqual(body.predictions[0]);
  });

  it('accepts a charset parameter and +json media types', async () => {
    const instances = [(await features()).map(() => 1)];
    for (const type of ['application/json; charset=utf-8', 'application/vnd.edgeml+json']) {
      const response = await post(`/v1/models/${MODEL}/predict`, { instances }, { 'Content-Type': type });
      expect(response.status, type).toBe(200);
    }
  });

  it('accepts exactly the instance limit (1024)', async () => {
    const row = (await features()).map(() => 1);
    const response = await predict(Array.from({ length: 1024 }, () => row));
    expect(response.status).toBe(200);
    expect(((await response.json()) as PredictBody).predictions).toHaveLength(1024);
  });

  it('accepts a chunked body (no Content-Length) under the size limit', async () => {
    const text = JSON.stringify({ instances: [(await features()).map(() => 1)] });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const response = await post(`/v1/models/${MODEL}/predict`, body);
    expect(response.status).toBe(200);
  });
});
