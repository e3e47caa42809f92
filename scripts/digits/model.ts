import { F, nn, type tf } from '../../sdk/index';

/**
 * The digit classifier: two Conv(3×3, padding 1)-BatchNorm-ReLU-MaxPool(2) blocks (28 → 14 → 7), then
 * Linear-ReLU-Dropout and a Linear to the ten classes' logits. `[N, 1, 28, 28]` in, `[N, 10]` out.
 */
export class DigitNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  pool1: nn.MaxPool2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  pool2: nn.MaxPool2d;
  flatten: nn.Flatten;
  fc1: nn.Linear;
  dropout: nn.Dropout;
  fc2: nn.Linear;

  constructor({ channels = [16, 32], hidden = 128, dropout = 0.25 } = {}) {
    super();
    this.conv1 = new nn.Conv2d(1, channels[0], 3, { padding: 1 });
    this.bn1 = new nn.BatchNorm2d(channels[0]);
    // One pool per block, not one shared: the graph export records each call site as its own module.
    this.pool1 = new nn.MaxPool2d(2);
    this.conv2 = new nn.Conv2d(channels[0], channels[1], 3, { padding: 1 });
    this.bn2 = new nn.BatchNorm2d(channels[1]);
    this.pool2 = new nn.MaxPool2d(2);
    this.flatten = new nn.Flatten();
    this.fc1 = new nn.Linear(channels[1] * 7 * 7, hidden);
    this.dropout = new nn.Dropout(dropout);
    this.fc2 = new nn.Linear(hidden, 10);
  }

  forward(x: tf.Tensor): tf.Tensor {
    x = this.pool1.forward(F.relu(this.bn1.forward(this.conv1.forward(x))));
    x = this.pool2.forward(F.relu(this.bn2.forward(this.conv2.forward(x))));
    x = this.dropout.forward(F.relu(this.fc1.forward(this.flatten.forward(x))));
    return this.fc2.forward(x);
  }
}
