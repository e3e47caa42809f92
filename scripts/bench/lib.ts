/**
 * What the benchmarks share: timing and medians, the figures table, the machine line, the course data, and the
 * baselines that run in their own process (PyTorch, and tfjs-layers, whose import registers every tfjs gradient and
 * so would change the environment the SDK is measured in).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { data } from '../../sdk/index';
import { recipes } from '../phone-price/recipe';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank percentile: the smallest value at or above a share `p` (0–1] of the values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** How many items fall under each key. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Microseconds per call of `fn`: the median over `rounds` rounds of `calls` calls each, after a warm-up round. */
export function microsPerCall(fn: () => unknown, { calls = 2000, rounds = 7 } = {}): number {
  for (let i = 0; i < calls; i++) fn();
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) fn();
    perCall.push(((performance.now() - started) * 1000) / calls);
  }
  return median(perCall);
}

/** Wall-clock seconds of one call of `fn`. */
export async function seconds(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

export interface Row {
  name: string;
  /** The median, in `unit`. */
  value: number | undefined;
  unit: string;
  /** Every sample behind the median. */
  samples: number[];
}

/**
 * Prints the rows as a Markdown table. The first row is edgeml's; every row gets edgeml's figure divided by its own
 * ("edgeml takes 0.8× this one's time"), all measured in this run on this machine.
 */
export function report(title: string, rows: Row[]): void {
  const reference = rows[0].value;
  const digits = (v: number) => (v >= 99.95 ? v.toFixed(0) : v >= 9.995 ? v.toFixed(1) : v.toFixed(2));
  console.log(`\n### ${title}\n`);
  console.log('| | median | edgeml ÷ this | samples |');
  console.log('|---|---:|---:|---|');
  for (const row of rows) {
    const value = row.value === undefined ? 'n/a' : `${digits(row.value)} ${row.unit}`;
    const ratio = row.value === undefined || reference === undefined ? '' : `${(reference / row.value).toFixed(2)}×`;
    console.log(`| ${row.name} | ${value} | ${ratio} | ${row.samples.map(digits).join(', ')} |`);
  }
}

export async function machine(): Promise<string> {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const backend = tf.getBackend();
  const wasm =
    backend === 'wasm'
      ? ` (SIMD ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}, threads ${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')})`
      : '';
  return (
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), load ${os.loadavg()[0].toFixed(1)}, ` +
    `Node ${process.versions.node}, tfjs ${tf.version_core} ${backend}${wasm}`
  );
}

/** The course's data: the real Kaggle file when present, else the synthetic one, and its 80/20 split (seed 88). */
export async function courseData(): Promise<{ file: string; dataset: data.Dataset; train: data.Dataset; test: data.Dataset }> {
  const real = path.resolve('../shared/data/mobile-price/train.csv');
  const file = existsSync(real) ? real : path.resolve('data/phone-price.csv');
  const dataset = await data.readCsv(file, { target: 'price_range' });
  const { trainSize, splitSeed } = recipes.course;
  const [train, test] = data.trainTestSplit(dataset, { trainSize, seed: splitSeed });
  return { file: path.relative(process.cwd(), file), dataset, train, test };
}

/** Writes a dataset's rows for a baseline process: `x.f32` (row-major float32) and `y.i32`; returns the folder. */
export function exportRows(dataset: data.Dataset): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edgeml-bench-'));
  writeFileSync(path.join(dir, 'x.f32'), dataset.x);
  writeFileSync(path.join(dir, 'y.i32'), dataset.y);
  return dir;
}

const PYTHON = '/usr/bin/python3';
let torchFound: { version: string; threads: number } | null | undefined;

/**
 * PyTorch's version and default thread count when /usr/bin/python3 can import torch; null otherwise, after saying
 * how to install it.
 */
export function torch(): { version: string; threads: number } | null {
  if (torchFound !== undefined) return torchFound;
  try {
    const script = 'import json, torch; print(json.dumps([torch.__version__, torch.get_num_threads()]))';
    const [version, threads] = JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }));
    torchFound = { version, threads };
  } catch {
    torchFound = null;
    console.log(`PyTorch baselines skipped: ${PYTHON} cannot import torch. Install it with: sudo apt install python3-torch`);
  }
  return torchFound;
}

/** Runs a PyTorch baseline script from this folder; returns its JSON answer (its last line of output). */
export function python(script: string, args: (string | number)[]): any {
  return runJson(PYTHON, [path.join(benchDir, script), ...args.map(String)]);
}

/** Runs scripts/bench/layers.ts (the tfjs-layers baseline) in a fresh Node process; returns its JSON answer. */
export function layers(args: (string | number)[]): any {
  return runJson(process.execPath, ['--import', 'tsx', path.join(benchDir, 'layers.ts'), ...args.map(String)]);
}

function runJson(command: string, args: string[]): any {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${path.basename(args[0] ?? command)} failed:\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}
