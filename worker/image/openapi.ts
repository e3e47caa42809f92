// The image routes' OpenAPI side: request and response schemas, error descriptions, and registering a route
// in the document as written while the handler sees the body as optional (image bodies are not JSON).
import { OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import type { AppEnv } from '../bindings';
import { IMAGE_MEDIA_TYPES } from '../body';
import { ErrorSchema, errorResponses } from '../errors';
import { booleanQuery, conv2dPadding, formatQuery, intOrPair, intOrPairQuery, kernelQuery, layerQuery, paddingQuery, Tensor } from './params';

export const Conv2dRequest = z
  .strictObject({
    input: Tensor,
    weight: Tensor,
    bias: Tensor.optional(),
    stride: intOrPair('stride').optional(),
    padding: conv2dPadding.optional(),
    dilation: intOrPair('dilation').optional(),
  })
  .openapi('Conv2dRequest', {
    description:
      'F.conv2d(input, weight, bias, {stride, padding, dilation}) as torch.nn.functional.conv2d (groups = 1): input ' +
      '[N, Cin, H, W] or unbatched [Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout]. Defaults: stride 1, ' +
      'padding 0, dilation 1. padding "same" needs stride 1; "full" pads d·(k − 1) on every side.',
  });

export const PoolRequest = z
  .strictObject({
    input: Tensor,
    mode: z.enum(['max', 'avg'], { error: 'mode must be "max" or "avg"' }).optional(),
    kernel_size: intOrPair('kernel_size'),
    stride: intOrPair('stride').optional(),
    padding: intOrPair('padding').optional(),
    ceil_mode: z.boolean().optional(),
    count_include_pad: z.boolean().optional(),
  })
  .openapi('PoolRequest', {
    description:
      'F.maxPool2d / F.avgPool2d as torch.nn.functional.max_pool2d / avg_pool2d: input [N, C, H, W] or [C, H, W]. ' +
      'Defaults: mode "max", stride = kernel_size, padding 0 (at most half the kernel), ceil_mode false, ' +
      'count_include_pad true (avg only).',
  });

const TensorResponse = z
  .object({
    output: Tensor,
    kernels: z
      .array(z.string())
      .optional()
      .openapi({ description: 'image form of conv2d: the output channels, in order' }),
    model: z.string().optional().openapi({ description: 'transform: the model' }),
  })
  .openapi('TensorResponse');

const BINARY = z.string().openapi({ type: 'string', format: 'binary' });
export const imageContent = Object.fromEntries(
  IMAGE_MEDIA_TYPES.map((type) => [type, { schema: BINARY }]),
) as Record<string, { schema: typeof BINARY }>;

export const TransformQuery = z.object({ format: formatQuery, layer: layerQuery });

export const Conv2dQuery = z.object({
  kernel: kernelQuery,
  stride: intOrPairQuery('stride', 'Step between windows; default 1.', '1'),
  padding: paddingQuery('Zeros around the image: an integer, "ph,pw", valid, same or full; default 0.', true),
  dilation: intOrPairQuery('dilation', 'Spacing between kernel taps; default 1.', '1'),
  format: formatQuery,
});

export const PoolQuery = z.object({
  mode: z
    .enum(['max', 'avg'], { error: 'mode must be max or avg' })
    .optional()
    .openapi({ param: { name: 'mode', in: 'query' }, description: 'max (the default) or avg', example: 'max' }),
  kernel_size: intOrPairQuery('kernel_size', 'Window size; default 2 for image bodies (required in JSON bodies).'),
  stride: intOrPairQuery('stride', 'Step between windows; default kernel_size.'),
  padding: paddingQuery('Implicit padding on every side, at most half the kernel; default 0.', false),
  ceil_mode: booleanQuery('ceil_mode', 'Round the output size up (a partial last window counts); default false.'),
  count_include_pad: booleanQuery('count_include_pad', 'avg only: whether padding counts in the divisor; default true.'),
  format: formatQuery,
});

// ---- OpenAPI ----

const ERROR_TEXT = {
  400: 'Malformed JSON (malformed_json), or a body that ended early (incomplete_body)',
  404: 'Unknown model',
  413:
    'Body over 10 MiB (payload_too_large), image over the size limits (image_too_large), tensor over 4,194,304 ' +
    'elements, also on the way (tensor_too_large), too much work (computation_too_large) or a JSON answer over ' +
    '262,144 elements (answer_too_large)',
  415: 'Content-Type not accepted or a compressed body (unsupported_media_type), or image bytes that are not PNG or JPEG (unsupported_image)',
  422:
    'Invalid values: request schema (invalid_request), tensor or option values (invalid_argument), image data ' +
    '(corrupt_image), the model (invalid_input, wrong_task)',
} as const;

export function errors(...statuses: (keyof typeof ERROR_TEXT | 401 | 429 | 503)[]) {
  const responses = errorResponses(...statuses);
  for (const status of statuses) {
    if (status in ERROR_TEXT) {
      const description = ERROR_TEXT[status as keyof typeof ERROR_TEXT];
      responses[status] = { description, content: { 'application/json': { schema: ErrorSchema } } };
    }
  }
  return responses;
}

export const featureMapResponse = (what: string) => ({
  description: `${what}. Image bodies get a PNG of the feature maps (each min-max scaled, tiled and labelled, as ` +
    'renderFeatureMaps draws them), or with ?format=json the output tensor; JSON bodies get the output tensor.',
  headers: {
    'X-Output-Shape': {
      description: 'PNG answers: the output tensor\'s shape, comma-separated (e.g. 1,5,425,638)',
      schema: { type: 'string' as const },
    },
  },
  content: { 'image/png': { schema: BINARY }, 'application/json': { schema: TensorResponse } },
});

/**
 * Registers `route` in the OpenAPI document as written (body required), and returns the variant the handler is
 * registered with: hidden, with the body optional (so zod-openapi validates JSON only when the body is JSON, leaving
 * image bodies to the handler) and without response content types (the handler answers PNG or streamed JSON).
 */
export function documented<R extends RouteConfig>(app: OpenAPIHono<AppEnv>, route: R) {
  const { middleware: _, ...documentation } = route; // as openapi() registers it
  app.openAPIRegistry.registerPath(documentation);
  return {
    ...route,
    hide: true,
    request: { ...route.request, body: route.request?.body && { ...route.request.body, required: false } },
    responses: { 200: { description: 'see the OpenAPI document' } },
  } as Omit<R, 'responses'> & { hide: true; responses: { 200: { description: string } } };
}
