import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { autograd, data, F, manualSeed, nn, optim, tf, torch } from '../../sdk/index';

export const description = "the course's phone-price section line by line: Module subclass, DataLoader, SGD, L1, .pth";

/** The course's 50 epochs unless `--epochs N` says otherwise. */
export interface Options {
  epochs?: number;
}

// The course's model, as it writes it in PyTorch (class PhonePriceModel(nn.Module)): the three layers assigned in
// the constructor register themselves as linear1, linear2 and output, in that order.
class PhonePriceModel extends nn.Module {
  linear1: nn.Linear;
  linear2: nn.Linear;
  output: nn.Linear;
  constructor(inputDim: number, outputDim: number) {
    super();
    this.linear1 = new nn.Linear(inputDim, 128);
    this.linear2 = new nn.Linear(128, 256);
    this.output = new nn.Linear(256, outputDim);
  }
  forward(x: tf.Tensor): tf.Tensor {
    x = F.relu(this.linear1.forward(x)); // x = torch.relu(self.linear1(x))
    x = F.relu(this.linear2.forward(x));
    return this.output.forward(x);
  }
}

// def l1_regularization(model, l1_lambda):
//     return l1_lambda * sum(p.abs().sum() for p in model.parameters())
const l1Regularization = (model: nn.Module, l1Lambda: number) =>
  tf.mul(l1Lambda, tf.addN(model.parameters().map((p) => tf.sum(tf.abs(p)))));

/** The Kaggle CSV beside the repository when it is there, else the project's synthetic one with the same schema. */
function csvPath(): { path: string; note: string } {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const kaggle = fileURLToPath(new URL('../../../shared/data/mobile-price/train.csv', import.meta.url));
  if (existsSync(kaggle)) return { path: kaggle, note: `the Kaggle CSV, ${relative(root, kaggle)}` };
  const synthetic = fileURLToPath(new URL('../../data/phone-price.csv', import.meta.url));
  return {
    path: synthetic,
    note: `the synthetic CSV ${relative(root, synthetic)} (the Kaggle one, ../shared/data/mobile-price/train.csv, is absent)`,
  };
}

export async function run(out: string, { epochs = 50 }: Options = {}): Promise<void> {
  manualSeed(0); // torch.manual_seed(0)

  // df = pd.read_csv('train.csv'); X = df.drop('price_range', axis=1).values; y = df['price_range'].values
  const { path, note } = csvPath();
  const df = await data.readCsv(path, { target: 'price_range' });
  console.log(`data: ${note}: ${df.rows} rows, ${df.features.length} features\n`);

  // X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=88)
  const [trainPart, testPart] = data.trainTestSplit(df, { trainSize: 0.8, seed: 88 });
  // X_train = torch.tensor(X_train, dtype=torch.float32); y_train = torch.tensor(y_train, dtype=torch.long); …
  const xTrain = tf.tensor2d(trainPart.x, [trainPart.rows, df.features.length]);
  const yTrain = tf.tensor1d(trainPart.y, 'int32');
  const xTest = tf.tensor2d(testPart.x, [testPart.rows, df.features.length]);
  const yTest = tf.tensor1d(testPart.y, 'int32');

  const trainDataset = new data.TensorDataset(xTrain, yTrain);
  // train_loader = DataLoader(train_dataset, batch_size=8, shuffle=True)
  const trainLoader = new data.DataLoader(trainDataset, { batchSize: 8, shuffle: true, seed: 0 });
  console.log(`train: ${trainDataset.length} rows in ${trainLoader.length} batches of 8; test: ${testPart.rows} rows\n`);

  const model = new PhonePriceModel(20, 4);
  // for name, param in model.named_parameters(): print(name, param.shape)
  for (const [name, param] of model.namedParameters()) console.log(name, `torch.Size([${param.shape.join(', ')}])`);
  console.log();

  // summary(model, input_size=(16, 20))
  console.log(String(nn.summary(model, [16, 20])));

  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const l1Lambda = 1e-3;

  for (let epoch = 0; epoch < epochs; epoch++) {
    const start = performance.now(); // start = time.time()
    let loss = tf.scalar(0);
    for (const { x, y } of trainLoader) {
      model.train();
      // y_pred = model(x); loss = criterion(y_pred, y) + l1_regularization(model, l1_lambda)
      // optimizer.zero_grad(); loss.backward(); optimizer.step()
      // backward runs the loss it differentiates, so the gradients are cleared before it.
      optimizer.zeroGrad();
      loss.dispose();
      loss = autograd.backward(() =>
        tf.add(criterion.forward(model.forward(x), y), l1Regularization(model, l1Lambda)),
      );
      optimizer.step();
    }
    // print(f'epoch {epoch + 1}: loss {loss.item():.4f}, {time.time() - start:.2f} s'): the epoch's last batch
    const seconds = (performance.now() - start) / 1000;
    const epochText = `${String(epoch + 1).padStart(String(epochs).length)}/${epochs}`;
    console.log(`epoch ${epochText}  loss ${loss.dataSync()[0].toFixed(4)}  time ${seconds.toFixed(2)} s`);
    loss.dispose();
  }

  // torch.save(model.state_dict(), 'model/phone.pth')
  const file = join(out, 'model', 'phone.pth');
  await torch.save(model.stateDict(), file);
  console.log(`\nsaved ${file}`);

  // model = PhonePriceModel(20, 4); model.load_state_dict(torch.load('model/phone.pth'))
  const reloaded = new PhonePriceModel(20, 4);
  reloaded.loadStateDict(await torch.load(file));

  // model.eval(); with torch.no_grad(): predictions = model(X_test).argmax(dim=1)
  const predict = (m: nn.Module) => tf.tidy(() => tf.argMax(m.eval().forward(xTest), 1).dataSync() as Int32Array);
  const before = predict(model);
  const after = predict(reloaded);
  const labels = yTest.dataSync();
  const correct = (predictions: Int32Array) => predictions.filter((p, i) => p === labels[i]).length;
  const accuracy = (predictions: Int32Array) =>
    `${(correct(predictions) / labels.length).toFixed(4)} (${correct(predictions)}/${labels.length})`;
  const same = after.filter((p, i) => p === before[i]).length;
  console.log(`accuracy on the ${labels.length} held-out rows, trained model:  ${accuracy(before)}`);
  console.log(`accuracy on the ${labels.length} held-out rows, reloaded model: ${accuracy(after)}`);
  console.log(`the reloaded model's predictions equal the trained model's on ${same}/${labels.length} rows`);

  trainDataset.dispose();
  tf.dispose([xTest, yTest]);
  model.dispose();
  reloaded.dispose();
  criterion.dispose();
}
