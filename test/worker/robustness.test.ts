/// <reference types="@cloudflare/vitest-pool-workers/types" />
// No input may produce a 5xx: generated bodies and instances only ever get 200 or a 4xx.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { client, MODEL, viaApp } from './helpers';

// Direct calls for the same reason as in leaks.test.ts (SELF slows down with every request; workers-sdk#15446).
const { post, predict, features } = client(viaApp(worker));
const PREDICT = `/v1/models/${MODEL}/predict`;
const ANSWERS = [200, 400, 413, 415, 422];

let names: string[];
beforeAll(async () => {
  names = await features();
});

async function expectNo5xx(response: Promise<Response>): Promise<void> {
  const settled = await response;
  await settled.arrayBuffer();
  expect(ANSWERS).toContain(settled.status);
}

/** Instances built from the model's feature names, with arbitrary JSON values or keys. */
const instance = () =>
  fc.oneof(
    fc.array(fc.oneof(fc.double(), fc.jsonValue()), { maxLength: names.length + 2 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...names, '__proto__', 'constructor'), fc.string()), fc.jsonValue()),
    fc.jsonValue(),
  );

describe('no input produces a 5xx', () => {
  it('arbitrary text as the body', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary' }), (text) => expectNo5xx(post(PREDICT, text))), {
      numRuns: 200,
    });
  });

  it('arbitrary JSON as the body', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), (body) => expectNo5xx(post(PREDICT, JSON.stringify(body)))), {
      numRuns: 200,
    });
  });

  it('arbitrary instances', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(instance(), { maxLength: 8 }), (instances) => expectNo5xx(predict(instances))),
      { numRuns: 300 },
    );
  });

  it('deeply nested values (deeper than a recursive parser or printer survives)', async () => {
    const depth = 200_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const row = names.map(() => '1');
    for (const value of [deep, `{"a":${deep}}`]) {
      row[3] = value;
      await expectNo5xx(post(PREDICT, `{"instances": [[${row.join(',')}]]}`));
      await expectNo5xx(post(PREDICT, `{"instances": [${value}]}`));
    }
  });
});
