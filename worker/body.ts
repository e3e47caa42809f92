import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './bindings';
import { ApiError } from './errors';

/** The media types the JSON routes accept (the same test Hono's JSON validator applies). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** 415 unsupported_media_type unless the request says its body is JSON; checked before any byte is read. */
export const acceptJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('Content-Type') ?? '';
  const mediaType = contentType.split(';')[0].trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `the request body must be JSON sent with Content-Type: application/json, got ${contentType === '' ? 'no Content-Type' : `"${contentType}"`}`,
    );
  }
  return next();
};

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

/** 415 unsupported_media_type unless the Content-Type is one of `kinds`; checked before any byte is read. */
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
    return next();
  };
}

/**
 * 413 payload_too_large for a body over `maxBytes`. Hono's bodyLimit (≥ 4.12.25) trusts Content-Length only when
 * there is no Transfer-Encoding, and otherwise counts the streamed bytes, stopping at the limit, so chunked bodies
 * are bounded too.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `the request body is over the limit of ${maxBytes} bytes`, {
        limit_bytes: maxBytes,
      });
    },
  });
}
