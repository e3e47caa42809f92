import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '../errors';
import { Parameter } from './parameter';
import { stateDictErrors } from './state_dict';
import { WeightCopy } from './weight_copy';

/** The serialisable description of a module: its class name and constructor options, enough for nn.build. */
export interface ModuleSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}

export type StateDict = Record<string, tf.Tensor>;

/** What loadStateDict left out: the model's keys the dict lacked and the dict's keys the model has no use for. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The base of every layer and model, as torch.nn.Module: parameters (nn.Parameter, trained), buffers (tf.Variables
 * saved but not trained, such as running statistics), child modules, and a train/eval mode.
 *
 * Registration works as PyTorch's `__setattr__`: assigning an nn.Parameter or an nn.Module to a field
 * (`this.linear1 = new nn.Linear(20, 128)`, in the constructor or later) registers it under the field's name, in the
 * order of first assignment. Assigning to a registered name again replaces the entry where it stands; assigning
 * null or undefined, or `delete`, removes it; any other value there is an error, as in PyTorch (wrap a tensor in
 * nn.Parameter). A module or parameter no longer registered is no longer this module's to dispose. Arrays and objects holding modules are not looked into: use nn.ModuleList. Buffers are registered
 * with registerBuffer, children under names that are not fields (such as '0') with registerModule.
 *
 * Keys follow PyTorch: a child's entries are prefixed by its name (`linear1.weight`, `bn.running_mean`,
 * `block.0.weight`); in a state dict a module's own parameters come before its buffers, which come before its
 * children's entries. parameters() and modules() list a parameter or module shared between two places once.
 */
export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly childModules = new Map<string, Module>();
  private readonly evalCopies: WeightCopy<tf.Tensor>[] = [];

  /**
   * Every assignment to a field ends in a [[DefineOwnProperty]] on the object: `this.x = v` does (ordinary [[Set]]
   * defines the value on its receiver), and so does a class field under ES2022's [[Define]] semantics (a declared
   * `linear1: nn.Linear;` first defines undefined, ignored here). Returning a proxy from the base constructor makes
   * the proxy `this` in every subclass constructor and the object `new` hands out, so its one trap sees each
   * assignment as it runs, in PyTorch's order — which no later scan of the keys could recover, since class fields
   * exist in declaration order before the constructor body assigns them. Reads have no trap.
   */
  private static readonly fieldRegistration: ProxyHandler<Module> = {
    defineProperty(target, key, descriptor) {
      if (typeof key === 'string' && 'value' in descriptor) target.assignField(key, descriptor.value);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (typeof key === 'string') target.unregister(key);
      return Reflect.deleteProperty(target, key);
    },
  };

  constructor() {
    return new Proxy(this, Module.fieldRegistration);
  }

  /** The module's computation, PyTorch's `forward` (`model(x)` there is `model.forward(x)` here). A subclass may
   *  declare more arguments after the input, as a loss does for its target. */
  abstract forward(x: tf.Tensor, ...more: unknown[]): tf.Tensor;

  /**
   * The options this module was built with: `nn.build(module.spec())` makes an equivalent module. Only nn's layers
   * and containers of them have one; a model written as a subclass is rebuilt by its own constructor instead.
   */
  spec(): ModuleSpec {
    throw new ArgumentError(
      `${this.constructor.name} has no spec(): only nn's layers and containers of them can be rebuilt from a ` +
        `description. Construct it with its own class and restore its weights with loadStateDict`,
      { module: this.constructor.name },
    );
  }

  /** Registers `tensor` as the buffer `name` and returns it as an untrained variable, taking the tensor over as
   *  nn.Parameter does (the tensor is disposed, its data kept). */
  registerBuffer(name: string, tensor: tf.Tensor): tf.Variable {
    const buffer = tf.variable(tensor, false);
    tensor.dispose();
    this.unregister(name);
    this.ownBuffers.set(name, buffer);
    return buffer;
  }

  /** Registers `module` as the child `name`, as assigning it to a field of that name would. */
  registerModule<M extends Module>(name: string, module: M): M {
    this.assignField(name, module);
    return module;
  }

  /** The direct children by name, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.childModules];
  }

  children(): Module[] {
    return [...this.childModules.values()];
  }

  /** This module (named `prefix`) and every module below it, depth first, parents before children, each once. */
  namedModules(prefix = ''): [string, Module][] {
    const found: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (name: string, module: Module) => {
      if (seen.has(module)) return;
      seen.add(module);
      found.push([name, module]);
      for (const [childName, child] of module.childModules) visit(join(name, childName), child);
    };
    visit(prefix, this);
    return found;
  }

  modules(): Module[] {
    return this.namedModules().map(([, module]) => module);
  }

  /** Parameters by key (`linear1.weight`), in namedModules order, each module's in registration order; only this
   *  module's own with `recurse` false. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    return this.collect(prefix, recurse, (module) => module.ownParameters);
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, parameter]) => parameter);
  }

  namedBuffers(prefix = '', recurse = true): [string, tf.Variable][] {
    return this.collect(prefix, recurse, (module) => module.ownBuffers);
  }

  buffers(recurse = true): tf.Variable[] {
    return this.namedBuffers('', recurse).map(([, buffer]) => buffer);
  }

  /** Sets training mode here and in every child (dropout samples, batch norm uses batch statistics). */
  train(mode = true): this {
    // Assigned only when it changes: every assignment goes through the registration trap, and inference calls
    // eval() and train() around each batch (tensorClassScores), on models whose mode is almost always unchanged.
    if (this.training !== mode) this.training = mode;
    if (mode) for (const copy of this.evalCopies) copy.drop();
    for (const child of this.childModules.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Disposes every parameter's gradient and sets it to null, as PyTorch's zero_grad() (set_to_none). */
  zeroGrad(): void {
    for (const parameter of this.parameters()) {
      parameter.grad?.dispose();
      parameter.grad = null;
    }
  }

  /** The parameters and buffers by PyTorch key, in PyTorch's order, each key prefixed by `prefix`. The tensors are
   *  the live variables: copy them (`tf.clone`) to keep a snapshot across training. */
  stateDict(prefix = ''): StateDict {
    const dict: StateDict = {};
    for (const [name, parameter] of this.ownParameters) dict[prefix + name] = parameter;
    for (const [name, buffer] of this.ownBuffers) dict[prefix + name] = buffer;
    for (const [name, child] of this.childModules) Object.assign(dict, child.stateDict(`${prefix}${name}.`));
    return dict;
  }

  /**
   * Copies `dict`'s tensors into this module's parameters and buffers (cast to their dtypes), as PyTorch's
   * load_state_dict. Every shape must match, and with `strict` (the default) the keys must match exactly too.
   * Otherwise an ArgumentError lists every problem in PyTorch's words (missing keys, unexpected keys, each size
   * mismatch with both shapes) and nothing is changed. Returns the keys left out, which only `strict: false` allows.
   */
  loadStateDict(dict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    const own = this.stateDict();
    const { missingKeys, unexpectedKeys, errors, details } = stateDictErrors(own, dict, strict);
    if (errors.length > 0) {
      throw new ArgumentError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`, {
        missingKeys,
        unexpectedKeys,
        ...details,
      });
    }
    for (const [key, target] of Object.entries(own)) {
      if (Object.hasOwn(dict, key)) assignValue(target as tf.Variable, dict[key]);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Frees the variables (and gradients) of this module and its children. */
  dispose(): void {
    for (const parameter of this.ownParameters.values()) {
      parameter.grad?.dispose();
      parameter.grad = null;
      parameter.dispose();
    }
    for (const buffer of this.ownBuffers.values()) buffer.dispose();
    for (const copy of this.evalCopies) copy.drop();
    for (const child of this.childModules.values()) child.dispose();
  }

  /**
   * A copy of a weight that this module computes with in eval mode (see WeightCopy), dropped when the module is put
   * in training mode, whose steps change the weight every time, and when it is disposed.
   */
  protected evalCopy<T extends tf.Tensor>(make: (weight: tf.Tensor) => T): WeightCopy<T> {
    const copy = new WeightCopy(make);
    this.evalCopies.push(copy);
    return copy;
  }

  /** PyTorch's `__setattr__` rules (see the class docs) for a value about to be stored in the field `name`. */
  private assignField(name: string, value: unknown): void {
    if (value instanceof Parameter) {
      this.childModules.delete(name);
      this.ownBuffers.delete(name);
      this.ownParameters.set(name, value);
    } else if (value instanceof Module) {
      this.ownParameters.delete(name);
      this.ownBuffers.delete(name);
      this.childModules.set(name, value);
    } else if (this.ownParameters.has(name) || this.childModules.has(name)) {
      if (value !== undefined && value !== null) {
        const [role, expected] = this.ownParameters.has(name) ? ['parameter', 'nn.Parameter'] : ['child module', 'nn.Module'];
        throw new ArgumentError(`cannot assign ${describe(value)} as ${role} '${name}' (${expected} or null expected)`, {
          field: name,
        });
      }
      this.unregister(name);
    }
  }

  private unregister(name: string): void {
    this.ownParameters.delete(name);
    this.ownBuffers.delete(name);
    this.childModules.delete(name);
  }

  private collect<T extends object>(prefix: string, recurse: boolean, own: (module: Module) => Map<string, T>) {
    const found: [string, T][] = [];
    const seen = new Set<T>();
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [moduleName, module] of modules) {
      for (const [name, value] of own(module)) {
        if (seen.has(value)) continue;
        seen.add(value);
        found.push([join(moduleName, name), value]);
      }
    }
    return found;
  }
}

/**
 * Gives `variable` the values of `value`. One of the variable's dtype is taken as it is, with no copy: tensors are
 * immutable, so the variable can hold a reference to the same data, as tf.clone does (a cast would cost a kernel
 * call per tensor of every model loaded). Its own data it keeps as it is: assigning a variable to itself would free it.
 */
function assignValue(variable: tf.Variable, value: tf.Tensor): void {
  if (value.dataId === variable.dataId) return;
  if (value.dtype === variable.dtype) variable.assign(value);
  else tf.tidy(() => variable.assign(tf.cast(value, variable.dtype)));
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** Names a value's type in an error, as PyTorch names `torch.FloatTensor` or `int`. */
function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor`;
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}
