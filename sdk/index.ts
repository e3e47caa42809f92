/**
 * edgeml: train small networks with PyTorch's semantics on TensorFlow.js's WebAssembly backend, export them as
 * bundles, and serve them from Cloudflare Workers. This entry point is for Node: importing it starts the backend
 * (wasm, or cpu when wasm cannot start; EDGEML_BACKEND=cpu|wasm forces one), compiles the JPEG decoder's
 * WebAssembly, and makes every tfjs op differentiable and chainable for autograd.backward (autograd/register.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ready } from './backend';
import './autograd/register';
import { initJpegDecoder, JPEG_DECODER_WASM } from './image/codec';

await ready();
// The JPEG decoder's WebAssembly, compiled off the event loop now rather than on the first JPEG.
initJpegDecoder(await WebAssembly.compile(await readFile(createRequire(import.meta.url).resolve(JPEG_DECODER_WASM))));

export * as tf from '@tensorflow/tfjs-core';
export { ready, currentBackend, type BackendName } from './backend';
export * as data from './data/index';
export * as nn from './nn/index';
export * as F from './functional/index';
export * as optim from './optim/index';
export * as autograd from './autograd/index';
export * as train from './train/index';
export * as bundle from './bundle/index';
export * as image from './image/index';
export * as torch from './torch/index';
export { defaultGenerator, Generator, manualSeed } from './random';
export { EdgeMLError, CsvError, BundleError, InputError, ArgumentError, ImageError, TraceError, PublishError } from './errors';
