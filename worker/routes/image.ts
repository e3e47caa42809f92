// The image routes (DESIGN.md, "HTTP API"): conv2d and pooling on JSON tensors or on an uploaded image, and image
// bundles' transforms. Every number comes from the SDK (F.conv2d, F.maxPool2d, F.avgPool2d, Bundle.transform, the
// image codec, layout and feature-map renderer); this file parses, checks limits, and answers.
import { createRoute, OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { Context, MiddlewareHandler } from 'hono';
import { conv2d, type Conv2dOptions } from '../../sdk/functional/conv';
import { avgPool2d, maxPool2d, type AvgPool2dOptions } from '../../sdk/functional/pool';
import type { Image } from '../../sdk/image/image';
import { batch, toTensor } from '../../sdk/image/layout';
import { BEARER_SECURITY } from '../auth';
import type { AppEnv } from '../bindings';
import { acceptBodies, bodyKind, IMAGE_MEDIA_TYPES, limitBody } from '../body';
import { ApiError, ErrorSchema, errorResponses } from '../errors';
import { decodeImageBody, featureMapPng, imageHeader, pngHeaders } from '../image/image-body';
import { KERNEL_NAMES, kernelWeight } from '../image/kernels';
import { checkConv2d, checkPool2d, DEFAULT_IMAGE_LIMITS, type ImageLimits } from '../image/limits';
import {
  booleanQuery,
  conv2dPadding,
  formatQuery,
  intOrPair,
  intOrPairQuery,
  kernelQuery,
  paddingQuery,
  parseBoolean,
  parseIntOrPair,
  parseKernels,
  parsePadding,
  Tensor,
} from '../image/params';
import { checkDeclaredSizes, outputJson, tensorFromJson } from '../image/tensor-json';
import type { ModelRegistry } from '../registry';

export type { ImageLimits } from '../image/limits';
export { DEFAULT_IMAGE_LIMITS } from '../image/limits';

// ---- Schemas ----

const Conv2dRequest = z
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

const PoolRequest = z
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
const imageContent = Object.fromEntries(
  IMAGE_MEDIA_TYPES.map((type) => [type, { schema: BINARY }]),
) as Record<string, { schema: typeof BINARY }>;

const ModelParams = z.object({
  name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'features' }),
});

const TransformQuery = z.object({ format: formatQuery });

const Conv2dQuery = z.object({
  kernel: kernelQuery,
  stride: intOrPairQuery('stride', 'Step between windows; default 1.', '1'),
  padding: paddingQuery('Zeros around the image: an integer, "ph,pw", valid, same or full; default 0.', true),
  dilation: intOrPairQuery('dilation', 'Spacing between kernel taps; default 1.', '1'),
  format: formatQuery,
});

const PoolQuery = z.object({
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
  400: 'Malformed JSON',
  404: 'Unknown model',
  413:
    'Body over 10 MiB (payload_too_large), image over the size limits (image_too_large), tensor over 4,194,304 ' +
    'elements (tensor_too_large) or too much work (computation_too_large)',
  415: 'Content-Type not accepted (unsupported_media_type), or image bytes that are not PNG or JPEG (unsupported_image)',
  422:
    'Invalid values: request schema (invalid_request), tensor or option values (invalid_argument), image data ' +
    '(corrupt_image), the model (invalid_input, wrong_task)',
} as const;

function errors(...statuses: (keyof typeof ERROR_TEXT | 401 | 503)[]) {
  const responses = errorResponses(...statuses);
  for (const status of statuses) {
    if (status in ERROR_TEXT) {
      const description = ERROR_TEXT[status as keyof typeof ERROR_TEXT];
      responses[status] = { description, content: { 'application/json': { schema: ErrorSchema } } };
    }
  }
  return responses;
}

const featureMapResponse = (what: string) => ({
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
function documented<R extends RouteConfig>(app: OpenAPIHono<AppEnv>, route: R) {
  const { middleware: _, ...documentation } = route; // as openapi() registers it
  app.openAPIRegistry.registerPath(documentation);
  return {
    ...route,
    hide: true,
    request: { ...route.request, body: route.request?.body && { ...route.request.body, required: false } },
    responses: { 200: { description: 'see the OpenAPI document' } },
  } as Omit<R, 'responses'> & { hide: true; responses: { 200: { description: string } } };
}

// ---- Answers ----

type Output = { shape: number[]; data: Float32Array } | { shape: number[]; png: Uint8Array };

/** Runs `compute` in a tidy scope (every tensor it makes is freed, also when it throws) and keeps its output. */
function run(format: 'png' | 'json', labels: readonly string[] | undefined, compute: () => tf.Tensor): Output {
  return tf.tidy(() => {
    const y = compute();
    return format === 'png'
      ? { shape: y.shape, png: featureMapPng(y, labels) }
      : { shape: y.shape, data: y.dataSync() as Float32Array };
  });
}

function answer(c: Context<AppEnv>, output: Output, head: Record<string, unknown> = {}): Response {
  if ('png' in output) return c.body(output.png as Uint8Array<ArrayBuffer>, 200, pngHeaders(output.shape));
  return c.body(outputJson(head, output.shape, output.data), 200, { 'Content-Type': 'application/json; charset=UTF-8' });
}

/** The request's image, decoded after its header passed the limits for a `[channels, H, W]` tensor. */
async function readImage(
  c: Context<AppEnv>,
  channels: number,
  limits: ImageLimits,
  check?: (height: number, width: number) => void,
): Promise<Image> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const info = imageHeader(bytes, channels, limits);
  check?.(info.height, info.width); // output size and cost, before decoding
  return decodeImageBody(bytes, info);
}

/** The JSON form takes its parameters from the body: query parameters (other than format=json) are refused. */
function refuseQuery(query: Record<string, string | undefined>): void {
  for (const [field, value] of Object.entries(query)) {
    if (value === undefined || (field === 'format' && value === 'json')) continue;
    throw new ApiError(
      422,
      'invalid_request',
      `"${field}": query parameters are for image bodies; a JSON body carries its parameters itself ` +
        '(and is answered in JSON)',
      { field },
    );
  }
}

/** 422 invalid_request for a query parameter the route does not take (a typo must not be silently ignored). */
function knownQuery(schema: z.ZodObject): MiddlewareHandler<AppEnv> {
  const names = Object.keys(schema.shape);
  return async (c, next) => {
    for (const field of Object.keys(c.req.queries())) {
      if (!names.includes(field)) {
        const message = `unknown query parameter "${field}"; this route takes ${names.join(', ')}`;
        throw new ApiError(422, 'invalid_request', message, { field });
      }
    }
    return next();
  };
}

const isJson = (c: Context<AppEnv>) => bodyKind(c.req.header('Content-Type')) === 'json';

/** Image routes: POST /v1/image/conv2d, POST /v1/image/pool, POST /v1/models/{name}/transform. */
export function imageRoutes(
  registry: ModelRegistry,
  startBackend: () => Promise<unknown>,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
) {
  const app = new OpenAPIHono<AppEnv>();
  const bodyLimit = limitBody(limits.maxBodyBytes);

  /** 404 for an unknown model and 422 wrong_task for a model that is not an image transform, before the body. */
  const imageModel: MiddlewareHandler<AppEnv> = async (c, next) => {
    const name = c.req.param('name') ?? '';
    const { task } = registry.manifest(name);
    if (task !== 'image-transform') {
      throw new ApiError(
        422,
        'wrong_task',
        `model "${name}" is a ${task} model; only image-transform models transform images ` +
          `(it answers POST /v1/models/${name}/predict)`,
        { model: name, task, expected: 'image-transform' },
      );
    }
    return next();
  };

  const conv = documented(
    app,
    createRoute({
      method: 'post',
      path: '/v1/image/conv2d',
      summary: '2-D convolution of a JSON tensor, or of an image by named kernels',
      description:
        'JSON body: F.conv2d on the given tensors, answered in JSON. Image body (PNG or JPEG): the image is converted ' +
        'to grey ([1, 1, H, W], values 0–1, ITU-R 601 luma) and convolved with the named 3×3 kernels (one output ' +
        `channel each; all of ${KERNEL_NAMES.join(', ')} when kernel is not given), without bias.`,
      security: BEARER_SECURITY,
      middleware: [acceptBodies('json', 'image'), bodyLimit, knownQuery(Conv2dQuery)] as const,
      request: {
        query: Conv2dQuery,
        body: { required: true, content: { 'application/json': { schema: Conv2dRequest }, ...imageContent } },
      },
      responses: { 200: featureMapResponse('The convolution'), ...errors(400, 401, 413, 415, 422) },
    }),
  );

  const pool = documented(
    app,
    createRoute({
      method: 'post',
      path: '/v1/image/pool',
      summary: '2-D max or average pooling of a JSON tensor or of an image',
      description:
        'JSON body: F.maxPool2d / F.avgPool2d on the given tensor, answered in JSON. Image body (PNG or JPEG): the ' +
        'image is converted to grey ([1, 1, H, W], values 0–1) and pooled (kernel_size 2 unless given).',
      security: BEARER_SECURITY,
      middleware: [acceptBodies('json', 'image'), bodyLimit, knownQuery(PoolQuery)] as const,
      request: {
        query: PoolQuery,
        body: { required: true, content: { 'application/json': { schema: PoolRequest }, ...imageContent } },
      },
      responses: { 200: featureMapResponse('The pooled maps'), ...errors(400, 401, 413, 415, 422) },
    }),
  );

  const transform = documented(
    app,
    createRoute({
      method: 'post',
      path: '/v1/models/{name}/transform',
      summary: "An image through an image-transform model (e.g. features: Conv2d(3, 4, 3, stride=2) + MaxPool2d(2))",
      description:
        "The image becomes a [1, C, H, W] tensor (values 0–1, C from the manifest's preprocess.channels) and goes " +
        'through the model (Bundle.transform). A tabular model answers 422 wrong_task.',
      security: BEARER_SECURITY,
      middleware: [imageModel, acceptBodies('image'), bodyLimit, knownQuery(TransformQuery)] as const,
      request: { params: ModelParams, query: TransformQuery, body: { required: true, content: imageContent } },
      responses: { 200: featureMapResponse("The model's output"), ...errors(401, 404, 413, 415, 422, 503) },
    }),
  );

  return app
    .openapi(conv, async (c) => {
      await startBackend();
      const query = c.req.valid('query');
      if (isJson(c)) {
        refuseQuery(query);
        const { input, weight, bias, stride, padding, dilation } = c.req.valid('json');
        const options: Conv2dOptions = { stride, padding, dilation };
        checkDeclaredSizes({ input, weight, bias }, limits);
        checkConv2d(input.shape, weight.shape, options, limits);
        const output = run('json', undefined, () =>
          conv2d(
            tensorFromJson('input', input),
            tensorFromJson('weight', weight),
            bias && tensorFromJson('bias', bias),
            options,
          ),
        );
        return answer(c, output);
      }
      const names = parseKernels(query.kernel);
      const options: Conv2dOptions = {
        stride: parseIntOrPair(query.stride),
        padding: parsePadding(query.padding),
        dilation: parseIntOrPair(query.dilation),
      };
      const weight = kernelWeight(names);
      const image = await readImage(c, 1, limits, (h, w) => checkConv2d([1, 1, h, w], weight.shape, options, limits));
      const format = query.format ?? 'png';
      const output = run(format, names, () =>
        conv2d(batch(toTensor(image, { channels: 1 })), tf.tensor(weight.data, weight.shape), undefined, options),
      );
      return answer(c, output, { kernels: names });
    })
    .openapi(pool, async (c) => {
      await startBackend();
      const query = c.req.valid('query');
      if (isJson(c)) {
        refuseQuery(query);
        const { input, mode, kernel_size, stride, padding, ceil_mode, count_include_pad } = c.req.valid('json');
        const options = poolOptions(mode ?? 'max', kernel_size, stride, padding, ceil_mode, count_include_pad);
        checkDeclaredSizes({ input }, limits);
        checkPool2d(input.shape, options, limits);
        return answer(c, run('json', undefined, () => poolWith(mode ?? 'max', tensorFromJson('input', input), options)));
      }
      const mode = query.mode ?? 'max';
      const options = poolOptions(
        mode,
        parseIntOrPair(query.kernel_size) ?? 2,
        parseIntOrPair(query.stride),
        parseIntOrPair(query.padding),
        parseBoolean(query.ceil_mode),
        parseBoolean(query.count_include_pad),
      );
      const image = await readImage(c, 1, limits, (h, w) => checkPool2d([1, 1, h, w], options, limits));
      const output = run(query.format ?? 'png', [mode], () =>
        poolWith(mode, batch(toTensor(image, { channels: 1 })), options),
      );
      return answer(c, output);
    })
    .openapi(transform, async (c) => {
      const { name } = c.req.valid('param');
      const bundle = await registry.bundle(name); // also starts the backend
      const channels = bundle.manifest.preprocess.channels;
      // Images are converted to the model's channel count (grey or RGB); other counts keep the image's own (≤ 4).
      const convert = channels === 1 || channels === 3 ? channels : undefined;
      const image = await readImage(c, channels ?? 4, limits);
      const output = run(c.req.valid('query').format ?? 'png', bundle.manifest.labels, () => {
        const y = bundle.transform(batch(toTensor(image, { channels: convert })));
        if (y.size > limits.maxTensorElements) {
          const message = `the output has ${y.size} elements; at most ${limits.maxTensorElements} are sent`;
          const details = { field: 'output', shape: y.shape, elements: y.size, limit: limits.maxTensorElements };
          throw new ApiError(413, 'tensor_too_large', message, details);
        }
        return y;
      });
      return answer(c, output, { model: name });
    });
}

/** PyTorch's pooling arguments as the SDK's options; count_include_pad belongs to avg pooling only (as in PyTorch). */
function poolOptions(
  mode: 'max' | 'avg',
  kernelSize: AvgPool2dOptions['kernelSize'],
  stride: AvgPool2dOptions['stride'],
  padding: AvgPool2dOptions['padding'],
  ceilMode: boolean | undefined,
  countIncludePad: boolean | undefined,
): AvgPool2dOptions {
  if (mode === 'max' && countIncludePad !== undefined) {
    const message = 'count_include_pad applies to mode avg only (max pooling never counts padding)';
    throw new ApiError(422, 'invalid_argument', message, { argument: 'count_include_pad' });
  }
  return { kernelSize, stride, padding, ceilMode, countIncludePad };
}

function poolWith(mode: 'max' | 'avg', x: tf.Tensor, options: AvgPool2dOptions): tf.Tensor {
  if (mode === 'avg') return avgPool2d(x, options);
  const { countIncludePad: _, ...maxOptions } = options;
  return maxPool2d(x, maxOptions);
}
