// Tensors in JSON, both ways: `{"shape": [...], "data": [...]}` with the values flat in row-major (C) order, as
// torch.tensor(data).reshape(shape) reads them.
import * as tf from '@tensorflow/tfjs-core';
import { ApiError } from '../errors';
import { elementCount } from '../../sdk/serve';
import { checkTensorSize, type ImageLimits } from './limits';

export interface TensorJson {
  shape: number[];
  data: number[];
}

/**
 * Checks every given tensor's declared size against the element limit (413 tensor_too_large) before any is
 * allocated, so a huge shape costs nothing.
 */
export function checkDeclaredSizes(tensors: Record<string, TensorJson | undefined>, limits: ImageLimits): void {
  for (const [field, tensor] of Object.entries(tensors)) if (tensor) checkTensorSize(field, tensor.shape, limits);
}

/**
 * A float32 tensor of `json`, whose size was checked with checkDeclaredSizes; 422 invalid_argument (naming `field`)
 * when the data does not fill the shape or a value is beyond float32's range (JSON has no NaN or Infinity, but
 * 1e39 parses and would become Infinity).
 */
export function tensorFromJson(field: string, { shape, data }: TensorJson): tf.Tensor {
  const expected = elementCount(shape);
  if (data.length !== expected) {
    throw new ApiError(
      422,
      'invalid_argument',
      `${field}: shape [${shape.join(', ')}] needs ${expected} values in data, got ${data.length}`,
      { argument: field, expected, actual: data.length },
    );
  }
  const values = Float32Array.from(data);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ApiError(
        422,
        'invalid_argument',
        `${field}: data[${i}] is ${data[i]}, beyond float32's range (±3.4e38)`,
        { argument: field, index: i },
      );
    }
  }
  return tf.tensor(values, shape, 'float32');
}

/** Values per chunk of a streamed JSON answer: bounded memory even for millions of numbers. */
const CHUNK = 16 * 1024;

/**
 * The JSON text `{...head, "output": {"shape": shape, "data": [...]}}`, streamed in chunks so that a large output is
 * never one huge string. 422 invalid_argument (before anything is sent) if the output overflowed float32, since JSON
 * cannot carry Infinity or NaN.
 */
export function outputJson(
  head: Record<string, unknown>,
  shape: readonly number[],
  data: Float32Array,
): ReadableStream<Uint8Array> {
  const bad = data.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new ApiError(
      422,
      'invalid_argument',
      `the output has a non-finite value (${data[bad]}) at index ${bad}: the computation overflows float32`,
      { argument: 'output', index: bad },
    );
  }
  const encoder = new TextEncoder();
  const opening = JSON.stringify(head);
  const fields = opening === '{}' ? '{' : `${opening.slice(0, -1)},`;
  const prefix = `${fields}"output":{"shape":${JSON.stringify(shape)},"data":[`;
  let position = -1;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (position < 0) {
        controller.enqueue(encoder.encode(prefix));
        position = 0;
        return;
      }
      if (position >= data.length) {
        controller.enqueue(encoder.encode(']}}'));
        controller.close();
        return;
      }
      const end = Math.min(data.length, position + CHUNK);
      const parts = new Array<string>(end - position);
      for (let i = position; i < end; i++) parts[i - position] = String(data[i]);
      controller.enqueue(encoder.encode((position === 0 ? '' : ',') + parts.join(',')));
      position = end;
    },
  });
}
