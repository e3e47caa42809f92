import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';

/** The serialisable description of a module: its class name and constructor options, enough for nn.build. */
export interface ModuleSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}

export type StateDict = Record<string, tf.Tensor>;

/**
 * The base of every layer, as torch.nn.Module: parameters (trainable variables), buffers (state such as running
 * statistics, saved but not trained), child modules, and a train/eval mode. State-dict keys follow PyTorch: a
 * child's entries are prefixed by its name (`0.weight`, `1.running_mean`), a module's own parameters come before
 * its buffers, which come before its children's.
 */
export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly childModules = new Map<string, Module>();

  abstract forward(x: tf.Tensor): tf.Tensor;

  /** The options this module was built with; `nn.build(module.spec())` makes an equivalent module. */
  abstract spec(): ModuleSpec;

  protected registerParameter(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, true);
    value.dispose();
    this.ownParameters.set(name, variable);
    return variable;
  }

  protected registerBuffer(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, false);
    value.dispose();
    this.ownBuffers.set(name, variable);
    return variable;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.childModules.set(name, module);
    return module;
  }

  children(): [string, Module][] {
    return [...this.childModules];
  }

  namedParameters(prefix = ''): [string, tf.Variable][] {
    const own = [...this.ownParameters].map(([name, v]): [string, tf.Variable] => [prefix + name, v]);
    return own.concat(...this.children().map(([name, child]) => child.namedParameters(`${prefix}${name}.`)));
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  namedBuffers(prefix = ''): [string, tf.Variable][] {
    const own = [...this.ownBuffers].map(([name, v]): [string, tf.Variable] => [prefix + name, v]);
    return own.concat(...this.children().map(([name, child]) => child.namedBuffers(`${prefix}${name}.`)));
  }

  /** Sets training mode here and in every child (dropout samples, batch norm uses batch statistics). */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.childModules) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The parameters and buffers by PyTorch key, in PyTorch's order. The tensors are the live variables: copy
   *  them (`tf.clone`) to keep a snapshot across training. */
  stateDict(prefix = ''): StateDict {
    const dict: StateDict = {};
    for (const [name, v] of this.ownParameters) dict[prefix + name] = v;
    for (const [name, v] of this.ownBuffers) dict[prefix + name] = v;
    for (const [name, child] of this.childModules) Object.assign(dict, child.stateDict(`${prefix}${name}.`));
    return dict;
  }

  /**
   * Copies `dict`'s tensors into this module's parameters and buffers. Shapes must match; with `strict` (the
   * default, as in PyTorch) the keys must match exactly too. Nothing is changed unless every entry fits.
   */
  loadStateDict(dict: StateDict, { strict = true }: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((key) => !Object.hasOwn(dict, key));
    const unexpected = Object.keys(dict).filter((key) => !Object.hasOwn(own, key));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new ArgumentError(
        `state dict does not match the model: ${[
          missing.length ? `missing keys ${missing.join(', ')}` : '',
          unexpected.length ? `unexpected keys ${unexpected.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')}`,
        { missing, unexpected },
      );
    }
    const updates = Object.keys(own).filter((key) => Object.hasOwn(dict, key));
    for (const key of updates) {
      const expected = own[key].shape;
      const got = dict[key].shape;
      if (expected.length !== got.length || expected.some((size, i) => size !== got[i])) {
        throw new ArgumentError(`state dict entry ${key} has shape [${got}], the model needs [${expected}]`, {
          key,
          expected,
          got,
        });
      }
    }
    for (const key of updates) {
      const target = own[key] as tf.Variable;
      tf.tidy(() => target.assign(tf.cast(dict[key], target.dtype)));
    }
  }

  /** Frees the variables of this module and its children. */
  dispose(): void {
    for (const [, v] of this.ownParameters) v.dispose();
    for (const [, v] of this.ownBuffers) v.dispose();
    for (const [, child] of this.childModules) child.dispose();
  }
}
