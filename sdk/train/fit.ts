import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { TensorDataset } from '../data/tensor_dataset';
import { ArgumentError, EdgeMLError } from '../errors';
import type { Module, StateDict } from '../nn/module';
import type { LRScheduler } from '../optim/scheduler';
import { manualSeed } from '../random';
import { evaluate } from './evaluate';
import { argmaxRows } from '../inference/scores';
import { lossFunction, stepKeepingOutput, type Loss, type StepOptions } from './step';

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean training objective over the epoch's samples (penalties included), as the course prints it. */
  loss: number;
  /** Share of training samples classified correctly during the epoch (with dropout active); only when the targets
   *  are `[N]` int32 class indices and the output `[N, classes]`. */
  accuracy?: number;
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
  /** Scored after every epoch: with the default loss by evaluate (valLoss, valAccuracy), with another by its mean. */
  validation?: Dataset | TensorDataset;
  earlyStopping?: EarlyStopping;
  /** Stepped after every epoch, e.g. new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs }). */
  scheduler?: LRScheduler;
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
}

export interface History {
  epochs: EpochRecord[];
  stoppedEarly: boolean;
  /** The epoch with the lowest validation loss, when there is a validation set. */
  bestEpoch?: number;
}

/**
 * Trains the model on the dataset — a table from readCsv, or a TensorDataset of rows or NCHW images — the way the
 * course's loop does: each epoch visits every sample once in batches (a DataLoader, reshuffled per epoch when
 * `shuffle`), taking one `step` per batch with `loss` (cross-entropy unless given). The steps' losses and outputs stay
 * on the backend and are read back in groups (see EpochTotals), never after each step. Same seed, model
 * initialisation and backend ⇒ the same weights, bit for bit. Throws if the loss stops being finite (lower the
 * learning rate).
 */
export async function fit(model: Module, dataset: Dataset | TensorDataset, options: FitOptions): Promise<History> {
  const { epochs = 10, batchSize = 32, shuffle = true, seed = 0, validation, earlyStopping, scheduler, onEpoch } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ArgumentError(`epochs must be a positive integer, got ${epochs}`);
  if (earlyStopping && !validation) throw new ArgumentError('early stopping needs a validation set to watch');
  manualSeed(seed);
  const owned = dataset instanceof TensorDataset ? undefined : TensorDataset.fromDataset(dataset);
  const samples = owned ?? (dataset as TensorDataset);
  const loader = new DataLoader(samples, { batchSize, shuffle, seed });
  const history: History = { epochs: [], stoppedEarly: false };
  let best: { loss: number; epoch: number; state?: StateDict } | undefined;
  const totals = new EpochTotals();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      model.train();
      for (const batch of loader) {
        const { loss, output } = stepKeepingOutput(model, batch, options);
        totals.add(loss, output, classIndices(batch.y, output));
      }
      const { lossSum, correct } = totals.take();
      const record: EpochRecord = {
        epoch,
        loss: lossSum / samples.length,
        accuracy: correct === undefined ? undefined : correct / samples.length,
        seconds: (performance.now() - started) / 1000,
      };
      if (!Number.isFinite(record.loss)) {
        throw new EdgeMLError('diverged', `the loss became ${record.loss} in epoch ${epoch}; lower the learning rate`);
      }
      if (validation) {
        const scores = validate(model, validation, options.loss);
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
    owned?.dispose();
    model.train();
  }
}

/** The batch's targets as class indices on the host, when they are `[N]` int32 and the output `[N, classes]`. */
function classIndices(y: tf.Tensor, output: tf.Tensor): Int32Array | undefined {
  const classification = y.dtype === 'int32' && y.rank === 1 && output.rank === 2 && output.shape[0] === y.shape[0];
  return classification ? (y.dataSync() as Int32Array) : undefined;
}

/** The validation score: evaluate's for the default loss; else the loss's mean over the samples, in eval mode. */
function validate(model: Module, validation: Dataset | TensorDataset, loss: Loss | undefined): { loss: number; accuracy?: number } {
  if (loss === undefined) return evaluate(model, validation);
  if (!(validation instanceof TensorDataset)) {
    throw new ArgumentError('with a loss of your own, give the validation set as a TensorDataset');
  }
  const lossOf = lossFunction(loss);
  const wasTraining = model.training;
  model.eval();
  try {
    return { loss: tf.tidy(() => lossOf(model.forward(validation.x), validation.y).dataSync()[0]) };
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Adds up an epoch's losses (weighted by batch size, in float64) and correctly classified samples from steps whose
 * results are left on the backend: they are read at the end of the epoch, or every 256 steps so that a long epoch
 * does not pile them up, and the hits are counted on the host. `correct` is undefined unless every batch had class
 * indices.
 */
class EpochTotals {
  private pending: { loss: tf.Scalar; output: tf.Tensor; rows: number; labels?: Int32Array }[] = [];
  private lossSum = 0;
  private correct: number | undefined = 0;

  add(loss: tf.Scalar, output: tf.Tensor, labels: Int32Array | undefined): void {
    this.pending.push({ loss, output, rows: output.shape[0] ?? 1, labels });
    if (this.pending.length === 256) this.read();
  }

  /** The totals so far, which are then reset. */
  take(): { lossSum: number; correct: number | undefined } {
    this.read();
    const totals = { lossSum: this.lossSum, correct: this.correct };
    this.lossSum = 0;
    this.correct = 0;
    return totals;
  }

  private read(): void {
    for (const { loss, output, rows, labels } of this.pending) {
      this.lossSum += loss.dataSync()[0] * rows;
      if (labels === undefined) {
        this.correct = undefined;
      } else if (this.correct !== undefined) {
        const predicted = argmaxRows(output.dataSync() as Float32Array, output.shape[1]!);
        for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) this.correct++;
      }
      tf.dispose([loss, output]);
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
