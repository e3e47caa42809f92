import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../sdk/backend';
import { Conv2d } from '../../../sdk/nn/conv';
import { withoutInit } from '../../../sdk/nn/init';
import { Linear } from '../../../sdk/nn/linear';
import { defaultGenerator, Generator, manualSeed } from '../../../sdk/random';

beforeAll(ready);

const values = (layer: Linear | Conv2d) => [...layer.weight.dataSync(), ...layer.bias!.dataSync()];

describe('withoutInit', () => {
  it('leaves the weights and biases of the layers built inside it at zero, drawing nothing', () => {
    manualSeed(5);
    const [linear, conv] = withoutInit(() => [new Linear(4, 3), new Conv2d(2, 3, 3)]);
    expect(values(linear).every((value) => value === 0)).toBe(true);
    expect(values(conv).every((value) => value === 0)).toBe(true);
    expect(defaultGenerator().next()).toBe(new Generator(5).next());
  });

  it('gives back what `build` returns, and PyTorch init after it, nested or not, and after a throw', () => {
    expect(withoutInit(() => withoutInit(() => 'built'))).toBe('built');
    const failing = () => {
      throw new Error('no');
    };
    expect(() => withoutInit(failing)).toThrow('no');
    const drawn = new Linear(4, 3, { generator: new Generator(9) });
    const bound = 1 / Math.sqrt(4); // weight then bias, U(−1/√in, 1/√in), from one generator
    expect(values(drawn)).toEqual([...new Generator(9).uniform(15, -bound, bound)]);
  });
});
