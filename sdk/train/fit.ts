import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { ArgumentError, EdgeMLError } from '../errors';
import type { Module, StateDict } from '../nn/module';
import type { Scheduler } from '../optim/scheduler';
import { manualSeed } from '../random';
import { evaluate } from './evaluate';
import { stepOnDevice, type StepOptions } from './step';

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean training objective over the epoch's rows (penalties included), as the course prints it. */
  loss: number;
  /** Share of training rows classified correctly during the epoch (with dropout active). */
  accuracy: number;
  seconds: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface EarlyStopping {
  /** Epochs without a validation-loss improvement of at least minDelta before training stops. */
  patience: number;
  minDelta?: number;
  /** Put back the weights of the best epoch when training stops (default true). */
  restoreBest?: boolean;
}

export interface FitOptions extends StepOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Seeds the batch order and the global generator (dropout), like torch.manual_seed before the loop. */
  seed?: number;
  validation?: Dataset;
  earlyStopping?: EarlyStopping;
  /** Stepped after every epoch, e.g. optim.cosineAnnealingLR(optimizer, { tMax: epochs }). */
  scheduler?: Scheduler;
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
}

export interface History {
  epochs: EpochRecord[];
  stoppedEarly: boolean;
  /** The epoch with the lowest validation loss, when there is a validation set. */
  bestEpoch?: number;
}

/**
 * Trains the model on the dataset: each epoch visits every row once in batches (reshuffled per epoch when
 * `shuffle`), taking one `step` per batch. The data is uploaded once and batches are gathered on the backend;
 * loss and accuracy are read back once per epoch. Same seed, model initialisation and backend ⇒ the same weights,
 * bit for bit. Throws if the loss stops being finite (lower the learning rate).
 */
export async function fit(model: Module, dataset: Dataset, options: FitOptions): Promise<History> {
  const { epochs = 10, batchSize = 32, shuffle = true, seed = 0, validation, earlyStopping, scheduler, onEpoch } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ArgumentError(`epochs must be a positive integer, got ${epochs}`);
  if (earlyStopping && !validation) throw new ArgumentError('early stopping needs a validation set to watch');
  manualSeed(seed);
  const loader = new DataLoader(dataset, { batchSize, shuffle, seed });
  const width = dataset.features.length;
  const x = tf.tensor2d(dataset.x, [dataset.rows, width]);
  const y = tf.tensor1d(dataset.y, 'int32');
  const history: History = { epochs: [], stoppedEarly: false };
  let best: { loss: number; epoch: number; state?: StateDict } | undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      model.train();
      let totals: tf.Tensor = tf.zeros([2]);
      for (const indices of loader) {
        const previous = totals;
        totals = tf.tidy(() => {
          const rows = tf.tensor1d(indices, 'int32');
          const { loss, correct } = stepOnDevice(model, { x: tf.gather(x, rows), y: tf.gather(y, rows) }, options);
          return tf.add(previous, tf.stack([tf.mul(loss, indices.length), correct]));
        });
        previous.dispose();
      }
      const [lossSum, correct] = await totals.data();
      totals.dispose();
      const record: EpochRecord = {
        epoch,
        loss: lossSum / dataset.rows,
        accuracy: correct / dataset.rows,
        seconds: (performance.now() - started) / 1000,
      };
      if (!Number.isFinite(record.loss)) {
        throw new EdgeMLError('diverged', `the loss became ${record.loss} in epoch ${epoch}; lower the learning rate`);
      }
      if (validation) {
        const scores = evaluate(model, validation);
        record.valLoss = scores.loss;
        record.valAccuracy = scores.accuracy;
        if (!best || scores.loss < best.loss - (earlyStopping?.minDelta ?? 0)) {
          disposeState(best?.state);
          best = { loss: scores.loss, epoch, state: earlyStopping?.restoreBest !== false ? snapshot(model) : undefined };
        }
      }
      scheduler?.step();
      history.epochs.push(record);
      await onEpoch?.(record);
      if (earlyStopping && best && epoch - best.epoch >= earlyStopping.patience) {
        history.stoppedEarly = true;
        break;
      }
    }
    if (history.stoppedEarly && best?.state) model.loadStateDict(best.state);
    history.bestEpoch = best?.epoch;
    return history;
  } finally {
    disposeState(best?.state);
    tf.dispose([x, y]);
    model.train();
  }
}

function snapshot(model: Module): StateDict {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([key, t]) => [key, tf.clone(t)]));
}

function disposeState(state: StateDict | undefined): void {
  if (state) tf.dispose(Object.values(state));
}
