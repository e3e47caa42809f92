import { Generator, manualSeed, nn, tf } from '../../sdk/index';
import { formatValues, show } from './format';

export const description = "the course's regularisation inputs: Dropout(0.4) after Linear+sigmoid, BatchNorm1d, BatchNorm2d";

/** torch.randint(low, high, shape).float(): integers in [low, high), drawn from `generator`. */
function randint(generator: Generator, low: number, high: number, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(generator.uniform(size, low, high), Math.floor), shape);
}

export async function run(): Promise<void> {
  manualSeed(42); // torch.manual_seed(42): the layers' initial weights and dropout's masks
  const inputs = new Generator(42); // PyTorch draws randint from the same global generator; edgeml's is not exported

  console.log('## Dropout\n');
  const x = randint(inputs, 0, 10, [2, 4]); // x = torch.randint(0, 10, (2, 4)).float()
  show('x = randint(0, 10, (2, 4))', x, 1);
  const linear = new nn.Linear(4, 4);
  const y = tf.sigmoid(linear.forward(x)); // y = torch.sigmoid(linear(x))
  show('y = sigmoid(Linear(4, 4)(x)), the input to dropout', y);

  const p = 0.4;
  const dropout = new nn.Dropout(p);
  dropout.train();
  const trained = dropout.forward(y);
  const scaling = `survivors scaled by 1/(1 − p) = ${(1 / (1 - p)).toFixed(4)}`;
  show(`dropout.train(): each element zeroed with probability ${p}, ${scaling}`, trained);
  const kept = tf.tidy(() => tf.div(tf.sum(trained), tf.sum(tf.where(tf.equal(trained, 0), tf.zerosLike(y), y))));
  console.log(`survivors ÷ their inputs: ${kept.dataSync()[0].toFixed(4)}\n`);
  dropout.eval();
  show('dropout.eval(): the identity', dropout.forward(y));

  console.log('## BatchNorm1d\n');
  const features = randint(inputs, 0, 10, [3, 2]); // torch.randint(0, 10, (3, 2)).float()
  show('input = randint(0, 10, (3, 2))', features, 1);
  const linear2 = new nn.Linear(2, 4);
  const bn = new nn.BatchNorm1d(4);
  const h = linear2.forward(features);
  show('h = Linear(2, 4)(input), the input to batch norm', h);
  bn.train();
  show('bn.train(); bn(h): each column normalised with its batch mean and biased variance', bn.forward(h));
  const printState = (module: nn.Module) => {
    const state = module.stateDict();
    console.log(`running_mean ${formatValues(state.running_mean)}`);
    console.log(`running_var ${formatValues(state.running_var)}`);
    console.log(`num_batches_tracked ${state.num_batches_tracked.dataSync()[0]}`);
    console.log('(running = 0.9·running + 0.1·batch statistic; running_var takes the unbiased variance)\n');
  };
  printState(bn);
  bn.eval();
  show('bn.eval(); bn(h): normalised with the running statistics instead', bn.forward(h));

  console.log('## BatchNorm2d\n');
  const image = randint(inputs, 0, 10, [1, 2, 3, 4]); // torch.randint(0, 10, (1, 2, 3, 4)).float()
  show('image = randint(0, 10, (1, 2, 3, 4))', image, 1);
  const bn2 = new nn.BatchNorm2d(2);
  bn2.train();
  show('bn2.train(); bn2(image): each channel normalised over N, H and W', bn2.forward(image));
  printState(bn2);
  bn2.eval();
  show('bn2.eval(); bn2(image)', bn2.forward(image));
}
