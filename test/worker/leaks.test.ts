/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { client, keyed, MODEL, viaApp } from './helpers';

// The deployed app's own fetch handler, called directly: through SELF each request gets slower the more the test
// worker has sent (a harness issue, cloudflare/workers-sdk#15446), which makes 1000 requests take minutes.
const { get, post, predict, features, tensors } = client(viaApp(worker));

describe('no tensor leaks', () => {
  it('the tfjs tensor count after 1000 mixed requests equals the count after the first', async () => {
    const names = await features();
    const row = names.map((_, i) => i);
    const requests: (() => Promise<Response>)[] = [
      () => predict([row, keyed(names, row)]),
      () => predict([row, row.slice(1)]), // 422 after the first instance was read
      () => predict([keyed(names, row), { ...keyed(names, row), extra: 1 }]),
      () => post(`/v1/models/${MODEL}/predict`, '{"instances": ['),
      () => predict(Array.from({ length: 64 }, () => row)),
      () => predict(Array.from({ length: 1025 }, () => row)),
      () => get(`/v1/models/${MODEL}`),
    ];
    await (await requests[0]()).arrayBuffer();
    const first = await tensors();
    const statuses = new Set<number>();
    for (let i = 1; i < 1000; i++) {
      const response = await requests[i % requests.length]();
      statuses.add(response.status);
      await response.arrayBuffer();
    }
    expect([...statuses].sort()).toEqual([200, 400, 413, 422]);
    expect(await tensors()).toBe(first);
  });
});
