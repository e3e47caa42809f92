import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { ArgumentError, EdgeMLError } from '../errors';
import type { Module, StateDict } from '../nn/module';
import type { Scheduler } from '../optim/scheduler';
import { manualSeed } from '../random';
import { evaluate } from './evaluate';
import { argmaxRows } from './predict';
import { stepKeepingLogits, type StepOptions } from './step';

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
 * `shuffle`), taking one `step` per batch. Each batch's rows are copied together on the host and uploaded as one
 * tensor (cheaper than a gather kernel per batch); the steps' losses and logits stay on the backend and are read
 * back in groups (see EpochTotals), never after each step. Same seed, model initialisation and backend ⇒ the same
 * weights, bit for bit. Throws if the loss stops being finite (lower the learning rate).
 */
export async function fit(model: Module, dataset: Dataset, options: FitOptions): Promise<History> {
  const { epochs = 10, batchSize = 32, shuffle = true, seed = 0, validation, earlyStopping, scheduler, onEpoch } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ArgumentError(`epochs must be a positive integer, got ${epochs}`);
  if (earlyStopping && !validation) throw new ArgumentError('early stopping needs a validation set to watch');
  manualSeed(seed);
  const loader = new DataLoader(dataset, { batchSize, shuffle, seed });
  const width = dataset.features.length;
  const history: History = { epochs: [], stoppedEarly: false };
  let best: { loss: number; epoch: number; state?: StateDict } | undefined;
  const totals = new EpochTotals();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      model.train();
      for (const indices of loader) {
        const batch = loader.batch(indices);
        const x = tf.tensor2d(batch.x, [batch.rows, width]);
        const { loss, logits } = stepKeepingLogits(model, { x, y: batch.y }, options);
        x.dispose();
        totals.add(loss, logits, batch.y);
      }
      const { lossSum, correct } = totals.take();
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
    totals.take();
    disposeState(best?.state);
    model.train();
  }
}

/**
 * Adds up an epoch's losses (weighted by batch size, in float64) and correctly classified rows from steps whose
 * results are left on the backend: they are read at the end of the epoch, or every 256 steps so that a long epoch
 * does not pile them up, and the hits are counted on the host.
 */
class EpochTotals {
  private pending: { loss: tf.Scalar; logits: tf.Tensor; labels: Int32Array }[] = [];
  private lossSum = 0;
  private correct = 0;

  add(loss: tf.Scalar, logits: tf.Tensor, labels: Int32Array): void {
    this.pending.push({ loss, logits, labels });
    if (this.pending.length === 256) this.read();
  }

  /** The totals so far, which are then reset. */
  take(): { lossSum: number; correct: number } {
    this.read();
    const totals = { lossSum: this.lossSum, correct: this.correct };
    this.lossSum = this.correct = 0;
    return totals;
  }

  private read(): void {
    for (const { loss, logits, labels } of this.pending) {
      this.lossSum += loss.dataSync()[0] * labels.length;
      const predicted = argmaxRows(logits.dataSync() as Float32Array, logits.shape[1]!);
      for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) this.correct++;
      tf.dispose([loss, logits]);
    }
    this.pending = [];
  }
}

function snapshot(model: Module): StateDict {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([key, t]) => [key, tf.clone(t)]));
}

function disposeState(state: StateDict | undefined): void {
  if (state) tf.dispose(Object.values(state));
}
