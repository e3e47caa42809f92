/**
 * The course's training loop, written by a user as DESIGN.md ("User-written models and loops") shows it, against
 * PyTorch's own runs of the same loop (scripts/fixtures/make_course_loops.py → test/fixtures/torch/loops/):
 *   - the course's PhonePriceModel, CrossEntropyLoss + the hand-written L1, SGD(lr 1e-3);
 *   - an MLP with BatchNorm1d, Adam(lr 1e-2, weight decay 1e-3);
 *   - a small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear), SGD(lr 0.05, momentum 0.9).
 * Each starts from the .pth file PyTorch's torch.save(model.state_dict()) wrote, and must give PyTorch's loss at
 * every step and PyTorch's parameters and buffers after the last step, within RTOL relative with an ATOL floor
 * (|ours − torch| ≤ ATOL + RTOL·|torch|, RTOL 1e-4, ATOL 1e-7: the floor only matters for values within 1e-3 of
 * zero); integer buffers (num_batches_tracked) exactly. PyTorch's own float32 runs stay within 0.14 of that tolerance
 * of its float64 runs, and a correct edgeml within 0.11; one L1 step on a weight (lr·λ = 1e-6) is 10 times it.
 * Then torch.save(model.stateDict()) must read back with torch.load as the same dict.
 *
 * The "would catch" cases run the same loops with one plausible bug planted and expect the comparison to fail.
 *
 * With EDGEML_COURSE_LOOPS_OUT=<dir> the trained models are also saved to <dir>/<name>.pth, for
 * `/usr/bin/python3 scripts/fixtures/make_course_loops.py --check <dir>`, which loads them in PyTorch with
 * weights_only=True.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autograd, data, F, nn, optim, tf, torch } from '../../sdk/index';
import { repoRoot } from '../helpers/fixtures';
import { PhonePriceModel } from '../helpers/models';

const RTOL = 1e-4;
const ATOL = 1e-7;
const LOOPS = path.join(repoRoot, 'test', 'fixtures', 'torch', 'loops');
const scratch = mkdtempSync(path.join(tmpdir(), 'edgeml-course-loops-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// ------------------------------------------------------------------------------------------------ fixtures

/** A tensor as make_course_loops.py writes it: flat row-major `data`, or `base64` little-endian float32 bytes. */
interface TensorEntry {
  shape: number[];
  dtype: 'float32' | 'int64';
  data?: number[];
  base64?: string;
}

interface LoopFixture {
  model: string;
  initial: string;
  x: TensorEntry;
  y: TensorEntry;
  batch_size: number;
  shuffle: boolean;
  epochs: number;
  optimizer: { name: string; [option: string]: unknown };
  criterion: string;
  l1_lambda: number | null;
  losses: number[];
  final_state_dict: Record<string, TensorEntry>;
}

function fixture(name: string): LoopFixture {
  return JSON.parse(readFileSync(path.join(LOOPS, `${name}.json`), 'utf8')) as LoopFixture;
}

function valuesOf(entry: TensorEntry): ArrayLike<number> {
  if (entry.data) return entry.data;
  const bytes = Buffer.from(entry.base64!, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function tensorOf(entry: TensorEntry): tf.Tensor {
  return tf.tensor(valuesOf(entry) as number[], entry.shape, entry.dtype === 'float32' ? 'float32' : 'int32');
}

/** The initial weights PyTorch saved, as the course reloads them. */
const pth = (name: string) => path.join(LOOPS, name);

// ------------------------------------------------------------------------------------------------ comparison

const close = (got: number, want: number, atol: number) => Math.abs(got - want) <= atol + RTOL * Math.abs(want);

/**
 * Every way the run differs from PyTorch's: a loss at some step, a state-dict key (missing, extra, out of order), a
 * shape, dtype or value of a parameter or buffer. Empty when the run matches.
 */
function mismatches(model: nn.Module, losses: number[], want: LoopFixture): string[] {
  const problems: string[] = [];
  if (losses.length !== want.losses.length) problems.push(`${losses.length} steps, PyTorch ran ${want.losses.length}`);
  want.losses.forEach((w, step) => {
    if (!close(losses[step], w, 0)) problems.push(`step ${step}: loss ${losses[step]}, PyTorch ${w}`);
  });
  const state = model.stateDict();
  if (Object.keys(state).join() !== Object.keys(want.final_state_dict).join()) {
    problems.push(`keys [${Object.keys(state)}], PyTorch [${Object.keys(want.final_state_dict)}]`);
  }
  for (const [key, entry] of Object.entries(want.final_state_dict)) {
    const t = state[key];
    if (!t) continue;
    if (t.shape.join() !== entry.shape.join()) {
      problems.push(`${key}: shape [${t.shape}], PyTorch [${entry.shape}]`);
      continue;
    }
    const isFloat = entry.dtype === 'float32';
    if (t.dtype !== (isFloat ? 'float32' : 'int32')) problems.push(`${key}: dtype ${t.dtype} for PyTorch's ${entry.dtype}`);
    const got = t.dataSync();
    const expected = valuesOf(entry);
    for (let i = 0; i < expected.length; i++) {
      if (isFloat ? !close(got[i], expected[i], ATOL) : got[i] !== expected[i]) {
        problems.push(`${key}[${i}]: ${got[i]}, PyTorch ${expected[i]}`);
        break;
      }
    }
  }
  return problems;
}

/** torch.save(model.stateDict()) → torch.load gives the same keys, in order, shapes, dtypes and values, exactly. */
async function expectSaveRoundTrip(model: nn.Module, name: string): Promise<void> {
  const file = path.join(scratch, `${name}.pth`);
  await torch.save(model.stateDict(), file);
  const out = process.env.EDGEML_COURSE_LOOPS_OUT;
  if (out) {
    mkdirSync(out, { recursive: true });
    await torch.save(model.stateDict(), path.join(out, `${name}.pth`));
  }
  const state = model.stateDict();
  const back = await torch.load(file);
  try {
    expect(Object.keys(back)).toEqual(Object.keys(state));
    for (const [key, t] of Object.entries(state)) {
      expect([key, back[key].dtype, back[key].shape]).toEqual([key, t.dtype, t.shape]);
      expect(Array.from(back[key].dataSync()), key).toEqual(Array.from(t.dataSync()));
    }
  } finally {
    tf.dispose(Object.values(back));
  }
}

/** One run of a loop: the model it trained, the loss of each step, and a way to free everything it made. */
interface Run {
  model: nn.Module;
  losses: number[];
  /** tf.memory().numTensors at the end of each epoch: a loop that leaks grows it. */
  tensorsAfterEpoch: number[];
  dispose(): void;
}

// ------------------------------------------------------------------------------------------------ (a) the course

const phone = fixture('phone');

/** The course's hand-written L1: plain tfjs ops. */
const l1 = (model: nn.Module, lambda: number) =>
  tf.mul(lambda, tf.addN(model.parameters().map((p) => tf.sum(tf.abs(p)))));

interface PhonePlants {
  /** Leave the L1 term out of the loss. */
  dropL1?: boolean;
  /** Add the L1 term's value to the loss as a constant computed outside the closure: no L1 gradient. */
  constantL1?: boolean;
}

async function trainPhone(plants: PhonePlants = {}): Promise<Run> {
  const x = tensorOf(phone.x);
  const y = tensorOf(phone.y);

  const model = new PhonePriceModel(20, 4);
  model.loadStateDict(await torch.load(pth('phone.pth')));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8 });
  const losses: number[] = [];
  const tensorsAfterEpoch: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader) {
      model.train();
      optimizer.zeroGrad();
      const constant = plants.constantL1 ? l1(model, 1e-3) : null;
      const loss = autograd.backward(() =>
        plants.dropL1
          ? criterion.forward(model.forward(batch.x), batch.y)
          : tf.add(criterion.forward(model.forward(batch.x), batch.y), constant ?? l1(model, 1e-3)),
      );
      constant?.dispose();
      optimizer.step();
      losses.push(loss.dataSync()[0]); // loss.item()
      loss.dispose();
    }
    tensorsAfterEpoch.push(tf.memory().numTensors);
  }
  return { model, losses, tensorsAfterEpoch, dispose: () => (model.dispose(), optimizer.dispose(), tf.dispose([x, y])) };
}

// ------------------------------------------------------------------------------------------------ (b) BatchNorm1d + Adam

const mlpBn = fixture('mlp_bn');

/** A bias before batch norm is redundant, and left out as PyTorch users do (see make_course_loops.py for why the
 *  parity check needs it so: Adam would turn that bias's rounding-noise gradient into full-size steps). */
class BatchNormMLP extends nn.Module {
  linear = new nn.Linear(20, 32, { bias: false });
  bn = new nn.BatchNorm1d(32);
  output = new nn.Linear(32, 4);
  forward(x: tf.Tensor): tf.Tensor {
    return this.output.forward(F.relu(this.bn.forward(this.linear.forward(x))));
  }
}

async function trainMlpBn({ weightDecay = 1e-3, bnMomentum = 0.1, shuffle = false } = {}): Promise<Run> {
  const x = tensorOf(mlpBn.x);
  const y = tensorOf(mlpBn.y);

  const model = new BatchNormMLP();
  if (bnMomentum !== 0.1) {
    model.bn.dispose(); // a planted bug: the layer built with another momentum
    model.bn = new nn.BatchNorm1d(32, { momentum: bnMomentum });
  }
  model.loadStateDict(await torch.load(pth('mlp_bn.pth')));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2, weightDecay });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 10, shuffle, seed: 0 });
  const losses: number[] = [];
  const tensorsAfterEpoch: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader) {
      model.train();
      optimizer.zeroGrad();
      const loss = autograd.backward(() => criterion.forward(model.forward(batch.x), batch.y));
      optimizer.step();
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    tensorsAfterEpoch.push(tf.memory().numTensors);
  }
  return { model, losses, tensorsAfterEpoch, dispose: () => (model.dispose(), optimizer.dispose(), tf.dispose([x, y])) };
}

// ------------------------------------------------------------------------------------------------ (c) a small CNN

const cnn = fixture('cnn');

class SmallCNN extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;
  pool: nn.MaxPool2d;
  flatten: nn.Flatten;
  fc: nn.Linear;
  constructor() {
    super();
    this.conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    this.bn = new nn.BatchNorm2d(4);
    this.pool = new nn.MaxPool2d(2);
    this.flatten = new nn.Flatten();
    this.fc = new nn.Linear(64, 3);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.forward(this.flatten.forward(this.pool.forward(F.relu(this.bn.forward(this.conv.forward(x))))));
  }
}

async function trainCnn({ momentum = 0.9, nesterov = false, evalMode = false, dropLast = false } = {}): Promise<Run> {
  const x = tensorOf(cnn.x);
  const y = tensorOf(cnn.y);

  const model = new SmallCNN();
  model.loadStateDict(await torch.load(pth('cnn.pth')));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum, nesterov });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8, dropLast });
  const losses: number[] = [];
  const tensorsAfterEpoch: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader) {
      model.train(!evalMode);
      optimizer.zeroGrad();
      const loss = autograd.backward(() => criterion.forward(model.forward(batch.x), batch.y));
      optimizer.step();
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    tensorsAfterEpoch.push(tf.memory().numTensors);
  }
  return { model, losses, tensorsAfterEpoch, dispose: () => (model.dispose(), optimizer.dispose(), tf.dispose([x, y])) };
}

// ------------------------------------------------------------------------------------------------ the tests

const cases = [
  { name: 'phone', want: phone, train: () => trainPhone(), config: { name: 'SGD', lr: 1e-3 }, l1: 1e-3 },
  {
    name: 'mlp_bn',
    want: mlpBn,
    train: () => trainMlpBn(),
    config: { name: 'Adam', lr: 1e-2, weight_decay: 1e-3 },
    l1: null,
  },
  { name: 'cnn', want: cnn, train: () => trainCnn(), config: { name: 'SGD', lr: 0.05, momentum: 0.9 }, l1: null },
] as const;

describe("the course's loop gives PyTorch's losses, weights and buffers", () => {
  it.each(cases)('$name', async ({ name, want, train, config, l1: lambda }) => {
    // The fixture was made with the configuration this file writes out.
    expect([want.optimizer, want.l1_lambda, want.shuffle, want.criterion]).toEqual([config, lambda, false, 'CrossEntropyLoss']);
    const run = await train();
    try {
      // Soft: a mismatch with PyTorch does not hide the other checks' results.
      expect.soft(mismatches(run.model, run.losses, want)).toEqual([]);
      // The loop holds no tensor over from one epoch to the next.
      expect.soft(run.tensorsAfterEpoch[1]).toBe(run.tensorsAfterEpoch[0]);
      await expectSaveRoundTrip(run.model, name);
    } finally {
      run.dispose();
    }
  });

  it('a saved model loads strictly into a fresh one and evaluates the same', async () => {
    const run = await trainCnn();
    const file = path.join(scratch, 'cnn-reload.pth');
    await torch.save(run.model.stateDict(), file);
    const fresh = new SmallCNN();
    const dict = await torch.load(file);
    expect(fresh.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = tensorOf(cnn.x);
    const [a, b] = [run.model.eval().forward(x), fresh.eval().forward(x)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, x, ...Object.values(dict)]);
    fresh.dispose();
    run.dispose();
  });
});

describe("the hand-written L1's gradient near zero", () => {
  // PyTorch: d|w|/dw = torch.sign(w), ±1 however small w is and 0 only at 0 (checked with PyTorch 1.13:
  // torch.tensor([1e-8, -1e-8, 0, 1e-7, 2e-7, -0.5]).abs().sum().backward() gives [1, -1, 0, 1, 1, -1]).
  // The course's L1 drives weights into that range: the phone loop above crosses it (linear2.weight[9906], [16455]).
  const w = [1e-8, -1e-8, 0, 1e-7, 2e-7, -0.5];
  const torchSign = [1, -1, 0, 1, 1, -1];
  const gradOf = (loss: (p: nn.Parameter) => tf.Tensor) => {
    const p = new nn.Parameter(tf.tensor1d(w));
    autograd.backward(() => loss(p)).dispose();
    const g = Array.from(p.grad!.dataSync());
    p.grad!.dispose();
    p.dispose();
    return g;
  };

  it('tf.abs, as the course writes it', () => expect(gradOf((p) => tf.sum(tf.abs(p)))).toEqual(torchSign));
  it('F.l1Penalty', () => expect(gradOf((p) => F.l1Penalty([p], 1))).toEqual(torchSign));
});

describe('the comparison would catch a plausible bug', () => {
  const expectCaught = async (runOf: () => Promise<Run>, want: LoopFixture, what: RegExp) => {
    const run = await runOf();
    try {
      const problems = mismatches(run.model, run.losses, want);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toMatch(what);
    } finally {
      run.dispose();
    }
  };

  it('the L1 term left out of the loss', () => expectCaught(() => trainPhone({ dropL1: true }), phone, /step 0: loss/));
  it('the L1 term without its gradient (a constant)', () =>
    expectCaught(() => trainPhone({ constantL1: true }), phone, /^linear\d\.weight|^output\.weight/m));
  it("Adam's weight decay left out", () => expectCaught(() => trainMlpBn({ weightDecay: 0 }), mlpBn, /weight/));
  it("BatchNorm1d's running statistics with a wrong momentum", () =>
    expectCaught(() => trainMlpBn({ bnMomentum: 0.2 }), mlpBn, /bn\.running_(mean|var)/));
  it('SGD with a wrong momentum', () => expectCaught(() => trainCnn({ momentum: 0.8 }), cnn, /step 2: loss/));
  it('SGD with Nesterov momentum', () => expectCaught(() => trainCnn({ nesterov: true }), cnn, /step 1: loss/));
  it('the batches shuffled', () => expectCaught(() => trainMlpBn({ shuffle: true }), mlpBn, /step 0: loss/));
  it("the last, smaller batch dropped", () => expectCaught(() => trainCnn({ dropLast: true }), cnn, /6 steps, PyTorch ran 8/));
  it('training in eval mode (BatchNorm2d on running statistics)', () =>
    expectCaught(() => trainCnn({ evalMode: true }), cnn, /step 0: loss/));
});
