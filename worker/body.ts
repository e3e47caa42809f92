import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './bindings';
import { ApiError } from './errors';

/** The media types the JSON routes accept (the same test Hono's JSON validator applies). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The image media types the image routes take; the bytes' signature then tells PNG from JPEG. */
export const IMAGE_MEDIA_TYPES: readonly string[] = ['image/png', 'image/jpeg'];

export type BodyKind = 'json' | 'image';

/** What a Content-Type announces: a JSON body, an image (IMAGE_MEDIA_TYPES), or undefined for anything else. */
export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (JSON_MEDIA_TYPE.test(mediaType)) return 'json';
  if (IMAGE_MEDIA_TYPES.includes(mediaType)) return 'image';
  return undefined;
}

/**
 * 415 unsupported_media_type unless the Content-Type is one of `kinds` and the body is not content-encoded;
 * checked before any byte is read. Compressed bodies are refused rather than inflated (RFC 7694): a few kilobytes
 * of gzip could otherwise grow far past the size limits.
 */
export function acceptBodies(...kinds: BodyKind[]): MiddlewareHandler<AppEnv> {
  const types = kinds.flatMap((kind) => (kind === 'json' ? ['application/json'] : IMAGE_MEDIA_TYPES));
  return async (c, next) => {
    const contentType = c.req.header('Content-Type') ?? '';
    const kind = bodyKind(contentType);
    if (kind === undefined || !kinds.includes(kind)) {
      const got = contentType === '' ? 'no Content-Type' : `"${contentType}"`;
      const message = `the request body must be sent with Content-Type ${types.join(', ')}; got ${got}`;
      throw new ApiError(415, 'unsupported_media_type', message, { accepted: types });
    }
    const encoding = (c.req.header('Content-Encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      throw new ApiError(415, 'unsupported_media_type', `Content-Encoding "${encoding}" is not accepted; send the body uncompressed`, {
        accepted_encodings: ['identity'],
      });
    }
    return next();
  };
}

/** The JSON routes' check (see acceptBodies). */
export const acceptJson = acceptBodies('json');

/** How far past the limit an over-limit streamed body is still read (and dropped) before the 413 goes out. */
const DRAIN_FACTOR = 8;

/**
 * 413 payload_too_large for a body over `maxBytes`. A declared Content-Length (without Transfer-Encoding) is trusted;
 * otherwise the streamed bytes are counted as they arrive and buffered up to the limit. An over-limit body is read
 * on (and discarded) up to DRAIN_FACTOR × the limit before answering: a 413 sent while the client is still
 * streaming makes workerd drop the connection, which under load also fails other requests sharing it.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () =>
    new ApiError(413, 'payload_too_large', `the request body is over the limit of ${maxBytes} bytes`, { limit_bytes: maxBytes });
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.get('content-length');
    if (declared !== null && !c.req.raw.headers.has('transfer-encoding')) {
      if (Number.parseInt(declared, 10) > maxBytes) throw tooLarge();
      return next();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        throw incompleteBody(error);
      });
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await drain(reader, DRAIN_FACTOR * maxBytes - size);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const buffer = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      buffer.set(chunk, offset);
      offset += chunk.length;
    }
    c.req.raw = new Request(c.req.raw, { body: buffer });
    return next();
  };
}

/**
 * The whole request body. A body that fails while it is read (the client went away mid-upload) is the client's
 * doing: 400 incomplete_body, not an error of the server's.
 */
export async function readBody(c: Context<AppEnv>): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer());
  } catch (error) {
    throw incompleteBody(error);
  }
}

function incompleteBody(cause: unknown): ApiError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new ApiError(400, 'incomplete_body', `the request body ended before it was complete${why}`);
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  while (budget > 0) {
    const { done, value } = await reader.read();
    if (done) return;
    budget -= value.length;
  }
  await reader.cancel();
}
