// The image routes (DESIGN.md, "HTTP API"): conv2d and pooling on JSON tensors or on an uploaded image, and image
// bundles' transforms. Every number comes from the SDK (F.conv2d, F.maxPool2d, F.avgPool2d, Bundle.transform, the
// image codec, layout and feature-map renderer); this file parses, checks limits, and answers.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { Context, MiddlewareHandler } from 'hono';
import { batch, conv2d, type Conv2dOptions, imageShape, type ImageInput, modelInput, toTensor } from '../../sdk/serve';
import { BEARER_SECURITY } from '../auth';
import type { AppEnv } from '../bindings';
import { acceptBodies, bodyKind, limitBody } from '../body';
import { ApiError } from '../errors';
import { admitImages } from '../image/admission';
import { answer, run } from '../image/answer';
import { KERNEL_NAMES, kernelWeight } from '../image/kernels';
import { checkAnswer, checkConv2d, checkPool2d, type ImageLimits } from '../image/limits';
import { parseBoolean, parseIntOrPair, parseKernels, parsePadding } from '../image/params';
import { poolOptions, poolWith } from '../image/pooling';
import { knownQuery, refuseQuery } from '../image/query';
import { preparedImage, readImage } from '../image/read';
import { checkDeclaredSizes, tensorFromJson } from '../image/tensor-json';
import type { ModelCatalog } from '../registry/catalog';
import { servedModel } from '../registry/served-model';
import { ModelParams, VersionParams } from './params';
import {
  Conv2dQuery,
  Conv2dRequest,
  documented,
  errors,
  featureMapResponse,
  imageContent,
  PoolQuery,
  PoolRequest,
  TransformQuery,
} from '../image/openapi';

const isJson = (c: Context<AppEnv>) => bodyKind(c.req.header('Content-Type')) === 'json';

/**
 * Image routes: POST /v1/image/conv2d, POST /v1/image/pool, POST /v1/models/{name}/transform. Between their steps
 * the requests await `giveWay` (PredictionsFirst).
 */
export function imageRoutes(
  catalog: ModelCatalog,
  startBackend: () => Promise<unknown>,
  limits: ImageLimits,
  giveWay: () => Promise<void>,
) {
  const app = new OpenAPIHono<AppEnv>();
  const bodyLimit = limitBody(limits.maxBodyBytes);
  /** The backend runs before a handler makes a tensor (transform's model use starts it too). */
  const backendStarted: MiddlewareHandler<AppEnv> = async (_c, next) => {
    await startBackend();
    return next();
  };
  const admission = admitImages(limits.admission, giveWay);

  /** 422 wrong_task for a model that is not an image model, before the body. */
  const imageModel: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { name, manifest } = c.var.model;
    const { task } = manifest;
    if (modelInput(manifest).kind !== 'image') {
      throw new ApiError(
        422,
        'wrong_task',
        `model "${name}" is a ${task} model; only image models transform images ` +
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
      middleware: [acceptBodies('json', 'image'), knownQuery(Conv2dQuery), admission, bodyLimit, backendStarted] as const,
      request: {
        query: Conv2dQuery,
        body: { required: true, content: { 'application/json': { schema: Conv2dRequest }, ...imageContent } },
      },
      responses: { 200: featureMapResponse('The convolution'), ...errors(400, 401, 413, 415, 422, 429, 503) },
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
      middleware: [acceptBodies('json', 'image'), knownQuery(PoolQuery), admission, bodyLimit, backendStarted] as const,
      request: {
        query: PoolQuery,
        body: { required: true, content: { 'application/json': { schema: PoolRequest }, ...imageContent } },
      },
      responses: { 200: featureMapResponse('The pooled maps'), ...errors(400, 401, 413, 415, 422, 429, 503) },
    }),
  );

  const transformRoute = (path: string, params: typeof ModelParams | typeof VersionParams, which: string) =>
    documented(
      app,
      createRoute({
        method: 'post',
        path,
        summary: `An image through ${which} of an image model (e.g. features: Conv2d(3, 4, 3, stride=2) + MaxPool2d(2))`,
        description:
          "The image becomes a [1, C, H, W] tensor (values 0–1, C from the manifest's preprocess.channels) and goes " +
          'through the model (Bundle.transform); with layer=input the answer is that prepared input itself. A tabular ' +
          'model answers 422 wrong_task.',
        security: BEARER_SECURITY,
        middleware: [servedModel(catalog), imageModel, acceptBodies('image'), knownQuery(TransformQuery), admission, bodyLimit] as const,
        request: { params, query: TransformQuery, body: { required: true, content: imageContent } },
        responses: { 200: featureMapResponse("The model's output"), ...errors(401, 404, 413, 415, 422, 429, 503) },
      }),
    );
  const transform = transformRoute('/v1/models/{name}/transform', ModelParams, 'the active version');
  const transformPinned = transformRoute('/v1/models/{name}/versions/{version}/transform', VersionParams, 'one published version');

  const transformWith = async (c: Context<AppEnv>) => {
    const model = c.var.model;
    const input = modelInput(model.manifest) as ImageInput; // an image model: see imageModel
    const channels = input.channels;
    // A model that states its input size (a traced one) prepares the image its own way, as predict does;
    // otherwise images are converted to the model's channel count (grey or RGB), other counts keep their own (≤ 4).
    const convert = channels === 1 || channels === 3 ? channels : undefined;
    // Channel names for the picture: an image transform's labels name its output channels, a classifier's do not.
    const labels = model.manifest.task === 'image-transform' ? model.manifest.labels : undefined;
    const { format, layer } = (c.req as unknown as { valid(target: 'query'): z.infer<typeof TransformQuery> }).valid('query');
    return catalog.use(c.env?.MODELS, model, async (bundle) => {
      const prepare = imageShape(input) ? await preparedImage(c, input, limits) : await readImage(c, channels ?? 4, limits);
      const output = await run(c, format ?? 'png', layer === 'input' ? undefined : labels, limits, () => {
        const x = prepare instanceof tf.Tensor ? prepare : toTensor(prepare, { channels: convert });
        if (layer === 'input') return batch(x);
        const y = bundle.transform(batch(x));
        if (y.size > limits.maxTensorElements) {
          const message = `the output has ${y.size} elements; at most ${limits.maxTensorElements} are sent`;
          const details = { field: 'output', shape: y.shape, elements: y.size, limit: limits.maxTensorElements };
          throw new ApiError(413, 'tensor_too_large', message, details);
        }
        return y;
      });
      return answer(c, output, { model: model.name });
    });
  };

  type ConvContext = Context<AppEnv, string, { out: { json: z.infer<typeof Conv2dRequest>; query: z.infer<typeof Conv2dQuery> } }>;
  type PoolContext = Context<AppEnv, string, { out: { json: z.infer<typeof PoolRequest>; query: z.infer<typeof PoolQuery> } }>;

  const convJson = async (c: ConvContext) => {
    refuseQuery(c.req.valid('query'));
    const { input, weight, bias, stride, padding, dilation } = c.req.valid('json');
    const options: Conv2dOptions = { stride, padding, dilation };
    checkDeclaredSizes({ input, weight, bias }, limits);
    checkAnswer('json', checkConv2d(input.shape, weight.shape, options, limits, bias?.shape), limits);
    const output = await run(c, 'json', undefined, limits, () =>
      conv2d(tensorFromJson('input', input), tensorFromJson('weight', weight), bias && tensorFromJson('bias', bias), options),
    );
    return answer(c, output);
  };

  const convImage = async (c: ConvContext) => {
    const query = c.req.valid('query');
    const names = parseKernels(query.kernel);
    const options: Conv2dOptions = {
      stride: parseIntOrPair(query.stride),
      padding: parsePadding(query.padding),
      dilation: parseIntOrPair(query.dilation),
    };
    const weight = kernelWeight(names);
    const format = query.format ?? 'png';
    const image = await readImage(c, 1, limits, (h, w) => checkAnswer(format, checkConv2d([1, 1, h, w], weight.shape, options, limits), limits));
    const output = await run(c, format, names, limits, () =>
      conv2d(batch(toTensor(image, { channels: 1 })), tf.tensor(weight.data, weight.shape), undefined, options),
    );
    return answer(c, output, { kernels: names });
  };

  const poolJson = async (c: PoolContext) => {
    refuseQuery(c.req.valid('query'));
    const { input, mode = 'max', kernel_size, stride, padding, ceil_mode, count_include_pad } = c.req.valid('json');
    const options = poolOptions(mode, kernel_size, stride, padding, ceil_mode, count_include_pad);
    checkDeclaredSizes({ input }, limits);
    checkAnswer('json', checkPool2d(input.shape, options, limits), limits);
    return answer(c, await run(c, 'json', undefined, limits, () => poolWith(mode, tensorFromJson('input', input), options)));
  };

  const poolImage = async (c: PoolContext) => {
    const query = c.req.valid('query');
    const mode = query.mode ?? 'max';
    const options = poolOptions(
      mode,
      parseIntOrPair(query.kernel_size) ?? 2,
      parseIntOrPair(query.stride),
      parseIntOrPair(query.padding),
      parseBoolean(query.ceil_mode),
      parseBoolean(query.count_include_pad),
    );
    const format = query.format ?? 'png';
    const image = await readImage(c, 1, limits, (h, w) => checkAnswer(format, checkPool2d([1, 1, h, w], options, limits), limits));
    const output = await run(c, format, [mode], limits, () => poolWith(mode, batch(toTensor(image, { channels: 1 })), options));
    return answer(c, output);
  };

  return app
    .openapi(conv, (c) => (isJson(c) ? convJson(c) : convImage(c)))
    .openapi(pool, (c) => (isJson(c) ? poolJson(c) : poolImage(c)))
    .openapi(transform, transformWith)
    .openapi(transformPinned, transformWith);
}
