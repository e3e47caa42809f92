import { F, nn, type tf } from '../../sdk/index';

export interface DigitNetOptions {
  /** Output channels of each Conv(3×3, padding 1)-BatchNorm-ReLU-MaxPool(2) block: 28 → 14 → 7 → 3 pixels. */
  channels?: readonly number[];
  /** Units of the hidden Linear-ReLU-Dropout layer; 0 for none (the features go straight to the classes). */
  hidden?: number;
  /** Average each channel of the last block over its whole map (global average pooling) instead of flattening it. */
  globalPool?: boolean;
  dropout?: number;
}

/**
 * The digit classifier: Conv(3×3, padding 1)-BatchNorm-ReLU-MaxPool(2) blocks, the last one's maps flattened (or
 * averaged per channel), an optional Linear-ReLU-Dropout, and a Linear to the ten classes' logits.
 * `[N, 1, 28, 28]` in, `[N, 10]` out. State-dict keys: conv1, bn1, conv2, bn2, …, hidden, classifier.
 * The defaults are the first served model's (two blocks, hidden 128), which the train-cnn benchmark still measures
 * (with hidden 64) against PyTorch; npm run train-digits passes the architecture it trains.
 */
export class DigitNet extends nn.Module {
  private readonly blocks: { conv: nn.Conv2d; bn: nn.BatchNorm2d }[] = [];
  pool: nn.MaxPool2d;
  gap?: nn.AvgPool2d;
  flatten: nn.Flatten;
  hidden?: nn.Linear;
  dropout?: nn.Dropout;
  classifier: nn.Linear;

  constructor({ channels = [16, 32], hidden = 128, globalPool = false, dropout = 0.25 }: DigitNetOptions = {}) {
    super();
    let [inChannels, size] = [1, 28];
    channels.forEach((outChannels, i) => {
      const conv = this.registerModule(`conv${i + 1}`, new nn.Conv2d(inChannels, outChannels, 3, { padding: 1 }));
      const bn = this.registerModule(`bn${i + 1}`, new nn.BatchNorm2d(outChannels));
      this.blocks.push({ conv, bn });
      [inChannels, size] = [outChannels, Math.floor(size / 2)];
    });
    // One pool for every block: the graph export records each call as its own node.
    this.pool = new nn.MaxPool2d(2);
    if (globalPool) this.gap = new nn.AvgPool2d(size);
    this.flatten = new nn.Flatten();
    const features = globalPool ? inChannels : inChannels * size * size;
    if (hidden > 0) {
      this.hidden = new nn.Linear(features, hidden);
      this.dropout = new nn.Dropout(dropout);
    }
    this.classifier = new nn.Linear(hidden > 0 ? hidden : features, 10);
  }

  forward(x: tf.Tensor): tf.Tensor {
    for (const { conv, bn } of this.blocks) x = this.pool.forward(F.relu(bn.forward(conv.forward(x))));
    if (this.gap) x = this.gap.forward(x);
    x = this.flatten.forward(x);
    if (this.hidden && this.dropout) x = this.dropout.forward(F.relu(this.hidden.forward(x)));
    return this.classifier.forward(x);
  }
}
