import type * as tf from '@tensorflow/tfjs-core';
import { EdgeMLError } from '../errors';
import { Module } from './module';

/**
 * Holds modules in a list, registered as children named '0', '1', … (`layers.0.weight`), as torch.nn.ModuleList —
 * what a plain array of modules, which registers nothing, is not. Index it (`list[1]`), iterate it, or `append` to
 * it; it has no forward of its own: the module that owns it decides how its entries run.
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  readonly [index: number]: M;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const module of modules) this.append(module);
  }

  get length(): number {
    return this.children().length;
  }

  /** Adds `module` at the end, as the child named by its index. */
  append(module: M): this {
    // A numbered field: assigning it registers the module (see Module) and makes `list[i]` read it back.
    (this as Record<number, M>)[this.length] = module;
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }

  forward(_x: tf.Tensor): tf.Tensor {
    throw new EdgeMLError('missing_forward', 'ModuleList has no forward: call its entries from the forward of the module that holds it');
  }
}
