import { TorchFileError } from '../errors';

/** A Python tuple (lists are plain arrays). */
export class Tuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict or OrderedDict: keys are compared by value for str, int, bool and None, by identity otherwise. */
export class Dict {
  readonly items = new Map<unknown, unknown>();
}

/**
 * What the caller decides about the parts of a pickle that would name or run code. The unpickler itself imports
 * and calls nothing: a GLOBAL only yields whatever `global` returns (which must throw to refuse), and REDUCE,
 * BUILD and persistent ids only reach these hooks.
 */
export interface PickleHooks {
  /** The value a GLOBAL or STACK_GLOBAL `module.name` stands for; throws to refuse it. */
  global(module: string, name: string): unknown;
  /** REDUCE: the result of calling `callable` (a value `global` returned) with `args`; throws to refuse. */
  reduce(callable: unknown, args: Tuple): unknown;
  /** BUILD: sets `state` on `target` (Python's __setstate__); throws to refuse. */
  build(target: unknown, state: unknown): void;
  /** BINPERSID: the object a persistent id stands for (in PyTorch files, a tensor storage). */
  persistentLoad(pid: unknown): unknown;
}

// Opcodes, named as in CPython's pickletools.
const MARK = 0x28; // (
const STOP = 0x2e; // .
const POP = 0x30; // 0
const POP_MARK = 0x31; // 1
const DUP = 0x32; // 2
const BINFLOAT = 0x47; // G
const BININT = 0x4a; // J
const BININT1 = 0x4b; // K
const BININT2 = 0x4d; // M
const NONE = 0x4e; // N
const BINPERSID = 0x51; // Q
const REDUCE = 0x52; // R
const BINUNICODE = 0x58; // X
const EMPTY_LIST = 0x5d; // ]
const APPEND = 0x61; // a
const BUILD = 0x62; // b
const GLOBAL = 0x63; // c
const DICT = 0x64; // d
const APPENDS = 0x65; // e
const BINGET = 0x68; // h
const LONG_BINGET = 0x6a; // j
const LIST = 0x6c; // l
const BINPUT = 0x71; // q
const LONG_BINPUT = 0x72; // r
const SETITEM = 0x73; // s
const TUPLE = 0x74; // t
const SETITEMS = 0x75; // u
const EMPTY_DICT = 0x7d; // }
const EMPTY_TUPLE = 0x29; // )
const PROTO = 0x80;
const TUPLE1 = 0x85;
const TUPLE2 = 0x86;
const TUPLE3 = 0x87;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const LONG1 = 0x8a;
const LONG4 = 0x8b;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE8 = 0x8d;
const STACK_GLOBAL = 0x93;
const MEMOIZE = 0x94;
const FRAME = 0x95;

/** Opcodes that build objects by calling classes; named in the refusal because they are the usual attack. */
const CONSTRUCTORS: Record<number, string> = {
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
};

/**
 * Runs the pickle `bytes` (protocols 2–5, the binary opcodes that pickle data: ints, floats, str, None, bools,
 * tuples, lists, dicts, the memo, globals, REDUCE, BUILD, persistent ids) and returns the object it builds:
 * Python values become null, boolean, number (bigint beyond 2^53), string, arrays (lists), Tuple and Dict; the
 * rest is whatever `hooks` return. `part` names the pickle in messages (e.g. "archive/data.pkl"). Throws
 * TorchFileError: `corrupt_torch_file` for a malformed pickle (truncated, stack underflow, unknown memo index),
 * `unsupported_torch_file` for any other opcode (text-protocol opcodes, bytes, INST/OBJ/NEWOBJ, extensions).
 */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, part = 'pickle'): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let at = 0;
  let opcodeAt = 0;

  const fail = (message: string) =>
    new TorchFileError('corrupt_torch_file', `${part}: ${message} (opcode at byte ${opcodeAt})`, { part });
  const need = (count: number) => {
    if (at + count > bytes.length) throw fail('the pickle ends in the middle of an opcode (truncated?)');
    const start = at;
    at += count;
    return start;
  };
  const pop = () => {
    if (stack.length === 0) throw fail('the pickle pops from an empty stack');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail('the pickle reads from an empty stack');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) throw fail('the pickle closes a MARK it never opened');
    stack = previous;
    return items;
  };
  const text = (length: number) => {
    const start = need(length);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(start, start + length));
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) throw fail('a GLOBAL name is not terminated (truncated?)');
    return text(end - at + 1).slice(0, -1);
  };
  const memoGet = (index: number) => {
    if (!memo.has(index)) throw fail(`the pickle reads memo entry ${index}, which it never stored`);
    return memo.get(index);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Dict)) throw fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw fail('SETITEMS with an odd number of keys and values');
    for (let i = 0; i < items.length; i += 2) target.items.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw fail('APPEND(S) on something that is not a list');
    target.push(...items);
  };

  for (;;) {
    opcodeAt = at;
    const op = bytes[need(1)];
    switch (op) {
      case PROTO:
        if (bytes[need(1)] > 5) throw fail(`pickle protocol ${bytes[at - 1]} is newer than 5`);
        break;
      case FRAME:
        need(8); // framing only groups opcodes for buffered reading
        break;
      case STOP:
        if (stack.length !== 1 || marks.length !== 0) throw fail('the pickle stops with a malformed stack');
        return stack[0];
      case MARK:
        marks.push(stack);
        stack = [];
        break;
      case POP:
        pop();
        break;
      case POP_MARK:
        popMark();
        break;
      case DUP:
        stack.push(top());
        break;
      case NONE:
        stack.push(null);
        break;
      case NEWTRUE:
        stack.push(true);
        break;
      case NEWFALSE:
        stack.push(false);
        break;
      case BININT:
        stack.push(view.getInt32(need(4), true));
        break;
      case BININT1:
        stack.push(bytes[need(1)]);
        break;
      case BININT2:
        stack.push(view.getUint16(need(2), true));
        break;
      case LONG1: {
        const length = bytes[need(1)];
        stack.push(readLong(bytes, need(length), length));
        break;
      }
      case LONG4: {
        const length = view.getInt32(need(4), true);
        if (length < 0) throw fail('LONG4 with a negative length');
        stack.push(readLong(bytes, need(length), length));
        break;
      }
      case BINFLOAT:
        stack.push(view.getFloat64(need(8), false));
        break;
      case SHORT_BINUNICODE:
        stack.push(text(bytes[need(1)]));
        break;
      case BINUNICODE:
        stack.push(text(view.getUint32(need(4), true)));
        break;
      case BINUNICODE8: {
        const length = view.getBigUint64(need(8), true);
        if (length > BigInt(bytes.length)) throw fail('a string longer than the pickle (truncated?)');
        stack.push(text(Number(length)));
        break;
      }
      case EMPTY_TUPLE:
        stack.push(new Tuple([]));
        break;
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        const count = op - TUPLE1 + 1;
        if (stack.length < count) throw fail('the pickle pops from an empty stack');
        stack.push(new Tuple(stack.splice(stack.length - count, count)));
        break;
      }
      case TUPLE: {
        const items = popMark();
        stack.push(new Tuple(items));
        break;
      }
      case EMPTY_LIST:
        stack.push([]);
        break;
      case LIST: {
        const items = popMark();
        stack.push(items);
        break;
      }
      case APPEND: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case APPENDS: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case EMPTY_DICT:
        stack.push(new Dict());
        break;
      case DICT: {
        const items = popMark();
        const dict = new Dict();
        setItems(dict, items);
        stack.push(dict);
        break;
      }
      case SETITEM: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case GLOBAL: {
        const module = line();
        stack.push(hooks.global(module, line()));
        break;
      }
      case STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL on non-str names');
        stack.push(hooks.global(module, name));
        break;
      }
      case REDUCE: {
        const args = pop();
        const callable = pop();
        if (!(args instanceof Tuple)) throw fail('REDUCE with arguments that are not a tuple');
        stack.push(hooks.reduce(callable, args));
        break;
      }
      case BUILD: {
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case BINPERSID:
        stack.push(hooks.persistentLoad(pop()));
        break;
      case BINGET:
        stack.push(memoGet(bytes[need(1)]));
        break;
      case LONG_BINGET:
        stack.push(memoGet(view.getUint32(need(4), true)));
        break;
      case BINPUT:
        memo.set(bytes[need(1)], top());
        break;
      case LONG_BINPUT:
        memo.set(view.getUint32(need(4), true), top());
        break;
      case MEMOIZE:
        memo.set(memo.size, top());
        break;
      default:
        throw new TorchFileError(
          'unsupported_torch_file',
          `${part}: pickle opcode ${opcodeName(op)} at byte ${opcodeAt} is not one torch.save writes for a state ` +
            'dict; edgeml refuses it',
          { part, opcode: op },
        );
    }
  }
}

/** A little-endian two's-complement integer of `length` bytes at `start`: a number when exact, else a bigint. */
function readLong(bytes: Uint8Array, start: number, length: number): number | bigint {
  let value = 0n;
  for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[start + i]);
  if (length > 0 && bytes[start + length - 1] & 0x80) value -= 1n << BigInt(8 * length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function opcodeName(op: number): string {
  const hex = `0x${op.toString(16).padStart(2, '0')}`;
  if (CONSTRUCTORS[op]) return `${CONSTRUCTORS[op]} (${hex}, which constructs objects)`;
  return op >= 0x20 && op < 0x7f ? `'${String.fromCharCode(op)}' (${hex})` : hex;
}
