import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ClientErrorStatusCode, ContentfulStatusCode, ServerErrorStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { EdgeMLError } from '../sdk/serve';
import { isBackendFault } from './fault';

type ErrorStatus = ClientErrorStatusCode | ServerErrorStatusCode;

/**
 * An error the API answers with: a 4xx/5xx status, a stable snake_case `code` clients can branch on, a message for
 * people, optional `details` (e.g. `{index, field}`) and optional response headers (Allow, WWW-Authenticate).
 */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The body of every error response. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_input' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const STATUS_TEXT: Partial<Record<ErrorStatus, string>> = {
  400: 'Malformed request, or a body that ended early (incomplete_body)',
  401: 'Missing or wrong bearer token (only when EDGEML_API_TOKEN is set)',
  404: 'Unknown model',
  405: 'Method not allowed',
  413: 'Body over the size limit, or too many instances',
  415: 'Content-Type is not application/json, or the body is compressed (Content-Encoding)',
  422: 'Values that do not fit the model or the request schema',
  429: 'busy: image requests are queued past the admission limit; retry after Retry-After',
  503: 'The model cannot be loaded, or backend_fault (the backend was rebuilt): retry after Retry-After',
};

/** OpenAPI `responses` entries for the error statuses a route can answer with. */
export function errorResponses(...statuses: ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  );
}

/** SDK error codes (EdgeMLError.code) that are the caller's fault, with their status. */
const SDK_STATUS: Record<string, ErrorStatus> = {
  invalid_input: 422,
  invalid_argument: 422,
  // ImageError (sdk/image/codec.ts): not PNG/JPEG (or a JPEG kind the decoder lacks), damaged data, too many pixels.
  unsupported_image: 415,
  corrupt_image: 422,
  image_too_large: 413,
};

/**
 * Hono and @hono/zod-openapi raise HTTPException without a code: 400 from the JSON validator when the body does not
 * parse (the only body format here), 415 from zod-openapi's media-type gate (stricter about parameters than ours).
 */
const HTTP_EXCEPTION_CODES: Partial<Record<number, [code: string, message: string]>> = {
  400: ['malformed_json', 'the request body is not valid JSON'],
  415: ['unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json'],
};

/** Turns anything thrown while handling a request into the ApiError to answer with; unknown errors are 500s. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EdgeMLError && error.code in SDK_STATUS) {
    return new ApiError(SDK_STATUS[error.code], error.code, error.message, error.details);
  }
  if (isBackendFault(error)) {
    const message =
      'the compute backend failed on this request and has been restarted; retry it, and send smaller sizes if it ' +
      'fails again';
    return new ApiError(503, 'backend_fault', message, undefined, { 'Retry-After': '1' });
  }
  if (error instanceof HTTPException && error.status >= 400 && error.status < 500) {
    const [code, message] = HTTP_EXCEPTION_CODES[error.status] ?? ['bad_request', error.message];
    return new ApiError(error.status as ClientErrorStatusCode, code, message);
  }
  return new ApiError(500, 'internal_error', 'the server failed to handle this request; this is a bug in edgeml');
}

export function errorResponse(c: Context, error: ApiError): Response {
  const { code, message, details } = error;
  const body = { error: details === undefined ? { code, message } : { code, message, details } };
  return c.json(body, error.status as ContentfulStatusCode, error.headers);
}

export const onError: ErrorHandler = (error, c) => {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    // Unknown errors with their stack (a bug); our own 5xx (a model that does not load) by message.
    console.error(`edgeml: ${c.req.method} ${c.req.path} failed:`, error instanceof ApiError ? error.message : error);
  }
  return errorResponse(c, apiError);
};

/**
 * The zod-openapi `defaultHook`: a request that fails its route's schema becomes a thrown ApiError, answered by
 * onError like every other error. Too many items in a list is a size limit (413); anything else is 422.
 */
export function validationHook(result: { success: true } | { success: false; error: ZodError }): void {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.');
  const where = field === '' ? 'the request body' : `"${field}"`;
  const details = field === '' ? undefined : { field };
  if (issue.code === 'too_big' && issue.origin === 'array') {
    throw new ApiError(413, 'payload_too_large', `${where}: ${issue.message}`, { ...details, limit: Number(issue.maximum) });
  }
  throw new ApiError(422, 'invalid_request', `${where}: ${issue.message}`, details);
}
