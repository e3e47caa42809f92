// The served phone-price bundle answers what PyTorch computes from the same files (scripts/fixtures/
// make_served_answers.py rebuilt the network in torch, scaled the rows with the manifest's scaler and took the
// softmax): a bundle that skipped its scaler, or read a weight transposed, would answer otherwise.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { load } from '../../../sdk/bundle/load';
import { torchFixture, type FixtureTensor } from '../../helpers/fixtures';

interface Served {
  weights_sha256: string;
  instances: number[][];
  probabilities: FixtureTensor;
}

const served = torchFixture<Served>('served_phone_price.json');

beforeAll(ready);

describe('worker/models/phone-price', () => {
  it("answers PyTorch's probabilities for the same rows (1e-5)", async () => {
    const bundle = await load('worker/models/phone-price');
    expect(bundle.manifest.weights.sha256, 'the bundle was retrained: rerun make_served_answers.py').toBe(
      served.weights_sha256,
    );
    const predictions = bundle.predict(served.instances);
    const classes = served.probabilities.shape[1];
    predictions.forEach((prediction, row) => {
      const expected = served.probabilities.data.slice(row * classes, (row + 1) * classes);
      prediction.probabilities.forEach((p, c) => expect(p).toBeCloseTo(expected[c], 5));
      expect(prediction.class).toBe(expected.indexOf(Math.max(...expected)));
    });
    bundle.dispose();
  });
});
