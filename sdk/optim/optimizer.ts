import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import type { Parameter } from '../nn/parameter';

/** A parameter group's hyper-parameters (camelCase here, snake_case in a state dict, as PyTorch names them). */
export interface Hyperparameters {
  lr: number;
}

/** A group of parameters sharing hyper-parameters: PyTorch's `optimizer.param_groups[i]`. */
export type ParamGroup<H extends Hyperparameters> = H & { params: Parameter[] };

/**
 * What an optimiser is built over: a list of parameters (`model.parameters()`), or groups of them with options of
 * their own. Any trainable tf.Variable will do; it is given a `grad` (null) when it has none.
 */
export type Params<H extends Hyperparameters> =
  | Iterable<tf.Variable>
  | (Partial<H> & { params: Iterable<tf.Variable> })[];

/** One parameter's state: tensors (buffers, moments), counts, or null (PyTorch's None). */
export type ParamState = Record<string, tf.Tensor | number | null>;

/**
 * PyTorch's optimizer state dict: `state` by parameter index (numbered across the groups in order) and each group's
 * hyper-parameters with the indices of its parameters. Its tensors are copies the caller owns.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: ({ lr: number; params: number[] } & Record<string, unknown>)[];
}

/**
 * The base of the optimisers, as torch.optim.Optimizer: built over the parameters it updates, it keeps their state
 * (momentum buffers, moments) across steps, so one object serves one model's whole training. `step()` updates every
 * parameter whose `grad` is set from that gradient, skipping those whose `grad` is null, as PyTorch does.
 */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  readonly paramGroups: ParamGroup<H>[];
  protected readonly state = new Map<Parameter, ParamState>();
  /** The keys of a parameter's state this optimiser keeps, as PyTorch names them. */
  protected abstract readonly stateKeys: readonly string[];

  protected constructor(
    /** PyTorch's class name, e.g. "SGD". */
    readonly name: string,
    params: Params<H>,
    defaults: H,
  ) {
    const list: unknown[] = [...params];
    const groups = isGroupList<H>(list) ? list : [{ params: list as tf.Variable[] }];
    this.paramGroups = groups.map(
      ({ params, ...options }) => ({ ...defaults, ...options, params: [...params].map(asParameter) }) as ParamGroup<H>,
    );
    const all = this.parameters();
    if (all.length === 0) throw new ArgumentError(`${name} got an empty parameter list: pass model.parameters()`);
    if (new Set(all).size !== all.length) throw new ArgumentError(`${name}: some parameters appear more than once`);
  }

  /** The learning rate of the first group (PyTorch's param_groups[0]['lr']); setting it sets every group's. */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  set lr(value: number) {
    for (const group of this.paramGroups) group.lr = value;
  }

  /** The name and the first group's hyper-parameters, as a bundle's training config records them. */
  get config(): { name: string } & H {
    const { params: _, ...options } = this.paramGroups[0];
    return { name: this.name, ...(options as unknown as H) };
  }

  /** Sets every parameter's `grad` to null, disposing it (PyTorch's zero_grad(set_to_none=True), its default). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Updates every parameter that has a gradient, by this optimiser's rule. */
  abstract step(): void;

  /** The state and the groups' hyper-parameters, to resume training with loadStateDict. */
  stateDict(): OptimizerStateDict {
    const index = new Map(this.parameters().map((p, i) => [p, i]));
    const state: Record<number, ParamState> = {};
    for (const [p, entries] of this.state) {
      state[index.get(p)!] = Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [key, value instanceof tf.Tensor ? tf.clone(value) : value]),
      );
    }
    let next = 0;
    const param_groups = this.paramGroups.map(({ params, ...options }) => ({
      ...(Object.fromEntries(Object.entries(options).map(([key, value]) => [snakeCase(key), copy(value)])) as {
        lr: number;
      }),
      params: params.map(() => next++),
    }));
    return { state, param_groups };
  }

  /**
   * Takes the state and hyper-parameters from a state dict this optimiser's class wrote (or PyTorch's, of the same
   * optimiser over the same parameters in the same order). Checks everything first: on a mismatch nothing changes.
   * The tensors are copied; the dict stays the caller's.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const groups = dict?.param_groups;
    if (!Array.isArray(groups) || typeof dict.state !== 'object' || dict.state === null) {
      throw new ArgumentError(`${this.name}.loadStateDict needs { state, param_groups }, as stateDict() returns`);
    }
    if (groups.length !== this.paramGroups.length) {
      throw new ArgumentError(
        `the state dict has ${groups.length} parameter groups, this ${this.name} has ${this.paramGroups.length}`,
      );
    }
    groups.forEach((group, i) => {
      if (group.params?.length !== this.paramGroups[i].params.length) {
        throw new ArgumentError(
          `parameter group ${i} of the state dict has ${group.params?.length} parameters, this ${this.name}'s has ` +
            `${this.paramGroups[i].params.length}: build the optimiser over the same model`,
        );
      }
    });
    const byIndex = new Map(
      groups.flatMap((group, g) => group.params.map((index, k) => [index, this.paramGroups[g].params[k]] as const)),
    );
    const state = new Map<Parameter, ParamState>();
    for (const [key, entries] of Object.entries(dict.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new ArgumentError(`the state dict has state for parameter ${key}, which no parameter group lists`);
      state.set(p, this.checkedState(key, p, entries));
    }
    for (const entries of this.state.values()) disposeState(entries);
    this.state.clear();
    for (const [p, entries] of state) {
      this.state.set(
        p,
        Object.fromEntries(
          Object.entries(entries).map(([k, v]) => [k, v instanceof tf.Tensor ? tf.keep(tf.clone(v)) : v]),
        ),
      );
    }
    groups.forEach(({ params: _, ...options }, i) => {
      for (const key of Object.keys(this.paramGroups[i])) {
        const value = options[snakeCase(key)];
        if (key !== 'params' && value !== undefined)
          (this.paramGroups[i] as unknown as Record<string, unknown>)[key] = copy(value);
      }
    });
  }

  /** Frees the per-parameter state (the parameters and their gradients stay). */
  dispose(): void {
    for (const entries of this.state.values()) disposeState(entries);
    this.state.clear();
  }

  /** Every parameter, group by group: the order of a state dict's indices. */
  protected parameters(): Parameter[] {
    return this.paramGroups.flatMap((group) => group.params);
  }

  /** Replaces a parameter's state with `entries` (kept past the step's tidy scope), disposing the tensors it replaces. */
  protected setState(p: Parameter, entries: ParamState): void {
    for (const value of Object.values(entries)) if (value instanceof tf.Tensor) tf.keep(value);
    const previous = this.state.get(p);
    if (previous) disposeState(previous, entries);
    this.state.set(p, entries);
  }

  private checkedState(key: string, p: Parameter, entries: ParamState): ParamState {
    const checked: ParamState = {};
    for (const [name, value] of Object.entries(entries ?? {})) {
      if (!this.stateKeys.includes(name)) {
        throw new ArgumentError(
          `the state of parameter ${key} has "${name}", which ${this.name} does not keep: is it another optimiser's?`,
        );
      }
      if (value instanceof tf.Tensor && name !== 'step') {
        if (value.shape.join() !== p.shape.join()) {
          throw new ArgumentError(
            `the state dict's ${name} for parameter ${key} has shape [${value.shape}], the parameter [${p.shape}]`,
          );
        }
        checked[name] = value;
      } else {
        // PyTorch keeps Adam's step count as a one-element tensor.
        checked[name] = value instanceof tf.Tensor ? value.dataSync()[0] : value;
      }
    }
    return checked;
  }
}

function asParameter(v: tf.Variable): Parameter {
  const p = v as Parameter;
  p.grad ??= null;
  return p;
}

function isGroupList<H extends Hyperparameters>(
  list: unknown[],
): list is (Partial<H> & { params: Iterable<tf.Variable> })[] {
  return (
    list.length > 0 &&
    !(list[0] instanceof tf.Variable) &&
    typeof list[0] === 'object' &&
    list[0] !== null &&
    'params' in list[0]
  );
}

/** A hyper-parameter as a state dict holds it: arrays (betas) copied, so that the dict and the optimiser never share one. */
function copy(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Disposes a state's tensors, except those still in `keep`. */
function disposeState(entries: ParamState, keep: ParamState = {}): void {
  const kept = new Set(Object.values(keep));
  for (const value of Object.values(entries)) if (value instanceof tf.Tensor && !kept.has(value)) value.dispose();
}
