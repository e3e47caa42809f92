/**
 * The JPEG decoder: libjpeg (MozJPEG's, as @jsquash/jpeg builds it for the browser and Workers) compiled to
 * WebAssembly, the same binary in Node and in workerd. Runs in any runtime and imports nothing from Node: the host
 * hands it the compiled module once (initJpegDecoder: the Worker imports the .wasm file, workerd compiling it at
 * upload; edgeml's Node entry compiles it from node_modules at load). Without that, in Node, the first decode
 * loads it from node_modules itself, synchronously; elsewhere decoding a JPEG throws until it is given.
 *
 * What the wrapper adds to @jsquash's glue, which is made for one-off decodes in a page:
 * - The module is instantiated on the first JPEG, not at load, so a start-up that decodes none pays nothing.
 * - libjpeg reports a fatal error by calling exit(), which emscripten turns into a thrown ExitStatus without
 *   unwinding the C stack or freeing the C heap: the same instance is corrupted after ~70 failed decodes ("null
 *   function or function signature mismatch"). So an instance that threw is never used again; the next decode makes
 *   a fresh one (a synchronous instantiation of the compiled module, well under a millisecond). So is one whose
 *   memory grew past RETAINED_BYTES (wasm memory never shrinks; a large image would otherwise stay resident).
 * - libjpeg's messages (what it writes to stderr) are captured per decode: a fatal error's message becomes the
 *   error's reason, and the warnings libjpeg decodes through (data cut short, bad Huffman codes), after which it
 *   fills the rest with grey, are refused as damaged data, as jpeg-js did.
 */
import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { EdgeMLError, ImageError } from '../errors';

/** Where the compiled binary is, for hosts that load it themselves (a package specifier: resolve it). */
export const JPEG_DECODER_WASM = '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';

/** An instance whose memory grew past this is dropped after its decode (it starts with 16 MiB, in which a
 *  2 Mi-pixel baseline JPEG decodes without growing it). */
const RETAINED_BYTES = 48 << 20;

/** libjpeg warnings after which the pixels are not the file's (it substitutes grey for what it could not decode). */
const DAMAGED = /^(Corrupt JPEG data|Premature end of JPEG file)/;

interface Decoder {
  decode(data: Uint8Array, preserveOrientation: boolean): { width: number; height: number; data: Uint8ClampedArray } | null;
}

let compiled: WebAssembly.Module | undefined;
let current: { decoder: Decoder; memory: WebAssembly.Memory | undefined } | undefined;
/** What libjpeg wrote to stderr during the current decode, line by line. */
const messages: string[] = [];

/**
 * Hands the JPEG decoder its compiled WebAssembly module (the file JPEG_DECODER_WASM names). Call it once, before
 * the first JPEG is decoded; it only stores the module (no instantiation, no I/O), so it may run at load time.
 */
export function initJpegDecoder(module: WebAssembly.Module): void {
  if (!(module instanceof WebAssembly.Module)) {
    throw new EdgeMLError('invalid_codec', 'initJpegDecoder expects a compiled WebAssembly.Module');
  }
  compiled = module;
  current = undefined;
}

/** Whether the decoder has its module (given, or loaded in Node). */
export function jpegDecoderReady(): boolean {
  return compiled !== undefined;
}

/**
 * Decodes a JPEG to RGBA (grey files come out as R = G = B). The caller has checked the frame header: its size
 * is within the pixel limit and it is a kind libjpeg decodes to RGB. Throws ImageError ('corrupt_image') for damaged
 * data, with libjpeg's own message as `details.reason`.
 */
export function decodeJpegRgba(bytes: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } {
  const instance = (current ??= instantiate());
  messages.length = 0;
  let result: ReturnType<Decoder['decode']>;
  try {
    result = instance.decoder.decode(bytes, false);
  } catch (error) {
    current = undefined; // its stack and heap are in an unknown state: never call it again
    throw damaged(messages.at(-1) ?? describe(error));
  } finally {
    if (current && (current.memory?.buffer.byteLength ?? 0) > RETAINED_BYTES) current = undefined;
  }
  if (!result) throw damaged('the decoder returned nothing');
  const warning = messages.find((message) => DAMAGED.test(message));
  if (warning) throw damaged(warning);
  return result;
}

function instantiate(): { decoder: Decoder; memory: WebAssembly.Memory | undefined } {
  const module = (compiled ??= loadInNode());
  try {
    return start(module);
  } catch (error) {
    throw new EdgeMLError('codec_unavailable', `the JPEG decoder (WebAssembly) could not start: ${describe(error)}`);
  }
}

function start(module: WebAssembly.Module): { decoder: Decoder; memory: WebAssembly.Memory | undefined } {
  // The glue builds its result with `new ImageData(data, width, height)`, and neither workerd nor Node has one; the
  // glue defines this stand-in itself when it recognises the runtime, this covers the case where it does not.
  (globalThis as { ImageData?: unknown }).ImageData ??= class ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
  let memory: WebAssembly.Memory | undefined;
  // emscripten's module object: the factory adds the bindings (decode) to the object it is given. With a synchronous
  // instantiateWasm they are there when the factory returns; the promise it returns is not needed.
  const options = {
    noInitialRun: true,
    locateFile: (path: string) => path, // never asked for: instantiateWasm provides the instance
    print: (line: string) => messages.push(line),
    printErr: (line: string) => messages.push(line),
    instantiateWasm: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) => {
      const instance = new WebAssembly.Instance(module, imports);
      memory = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory);
      receive(instance);
      return instance.exports;
    },
  };
  mozjpegFactory(options as Parameters<typeof mozjpegFactory>[0]).catch(() => {}); // failures surface below
  const decoder = options as unknown as Partial<Decoder>;
  if (typeof decoder.decode !== 'function') throw new Error('its bindings were not set up');
  return { decoder: decoder as Decoder, memory };
}

/**
 * In Node, the binary from node_modules (read and compiled synchronously, once); anywhere else an error saying what
 * to do. Not an import of node:fs, so that this module stays loadable in workerd.
 */
function loadInNode(): WebAssembly.Module {
  const { process } = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const fs = process?.getBuiltinModule?.('node:fs') as { readFileSync(path: string): Uint8Array } | undefined;
  const nodeModule = process?.getBuiltinModule?.('node:module') as NodeModules | undefined;
  if (!fs || !nodeModule) {
    throw new EdgeMLError(
      'codec_unavailable',
      `the JPEG decoder has no WebAssembly module: pass the compiled ${JPEG_DECODER_WASM} to initJpegDecoder first`,
    );
  }
  const path = nodeModule.createRequire((import.meta as { url: string }).url).resolve(JPEG_DECODER_WASM);
  // workerd's types declare no constructor (it refuses to compile bytes); Node has one.
  return new (WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module)(fs.readFileSync(path));
}

/** The part of node:module used above (typed here: this file is also compiled with workerd's types). */
interface NodeModules {
  createRequire(from: string): { resolve(specifier: string): string };
}

function damaged(reason: string): ImageError {
  return new ImageError('corrupt_image', `the JPEG data could not be decoded: ${reason}`, { reason });
}

function describe(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
