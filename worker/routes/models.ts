import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { imageToInput, modelInput, type Prediction } from '../../sdk/serve';
import type { AppEnv } from '../bindings';
import { BEARER_SECURITY } from '../auth';
import { acceptBodies, bodyKind, limitBody, readBody } from '../body';
import { ApiError, errorResponses } from '../errors';
import { DEFAULT_IMAGE_LIMITS } from '../image/limits';
import { documented, imageContent } from '../image/openapi';
import type { ModelRegistry } from '../registry';

export interface PredictLimits {
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** Most instances in one predict request. */
  maxInstances: number;
}

const ModelParams = z.object({
  name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'phone-price' }),
});

/** Most pixels an image sent to /predict may have, checked from its header before it is decoded: the image routes'. */
const MAX_IMAGE_PIXELS = DEFAULT_IMAGE_LIMITS.maxImagePixels;

const ModelSummary = z
  .object({
    name: z.string(),
    task: z.string(),
    input: z.enum(['tabular', 'image']).openapi({ description: "what predict takes: rows of features, or images" }),
    features: z.array(z.string()).openapi({ description: 'tabular models: the feature names in order; [] otherwise' }),
    labels: z.array(z.string()),
    created: z.string(),
  })
  .openapi('ModelSummary');

const Scaler = z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable();

const Manifest = z
  .object({
    format: z.string(),
    version: z.number().openapi({ description: '1: an nn.Sequential spec (architecture, preprocess); 2: a traced graph (graph, input)' }),
    name: z.string(),
    task: z.enum(['tabular-classification', 'image-classification', 'image-transform']),
    architecture: z.record(z.string(), z.unknown()).optional(),
    preprocess: z
      .object({ features: z.array(z.string()), scaler: Scaler, channels: z.number().optional() })
      .optional(),
    input: z
      .union([
        z.object({ kind: z.literal('tabular'), features: z.array(z.string()), scaler: Scaler }),
        z.object({
          kind: z.literal('image'),
          // Always present in a version-2 manifest; optional in the type that also reads version 1's.
          channels: z.number().optional(),
          height: z.number().optional(),
          width: z.number().optional(),
          preprocessing: z.enum(['none', 'mnist']),
        }),
      ])
      .optional(),
    graph: z
      .object({ opset: z.number(), input: z.record(z.string(), z.unknown()), nodes: z.array(z.unknown()), output: z.string() })
      .optional(),
    labels: z.array(z.string()),
    weights: z.object({ file: z.string(), sha256: z.string(), bytes: z.number() }),
    metrics: z.record(z.string(), z.unknown()),
    training: z.record(z.string(), z.unknown()),
    created: z.string(),
  })
  .openapi('Manifest', { description: 'The bundle manifest (model.json), as the SDK validated it; no weights.' });

/**
 * z.unknown() is documented as nullable, and a null instance is not valid. `nullable` is OpenAPI 3.0 (this document's
 * version); the metadata type follows 3.1, which has no such field, hence the untyped spread.
 */
const NOT_NULL = { nullable: false } as object;

/**
 * One instance. Documented here, checked by Bundle.predict: what fits depends on the model, and it is the one place
 * that checks instances, naming the offending instance (`index`) and feature (`field`) in its 422.
 */
const Instance = z.unknown().openapi('Instance', {
  ...NOT_NULL,
  description:
    "Tabular models: the model's features (GET /v1/models/{name}: input.features, or preprocess.features), raw: " +
    "the server applies the bundle's scaler. Image classifiers: one image as a nested [C][H][W] array of the " +
    "manifest's input size, values as the model was trained on (e.g. 0–1).",
  oneOf: [
    { type: 'array', items: { type: 'number' }, description: 'every feature value, in manifest order' },
    { type: 'object', additionalProperties: { type: 'number' }, description: 'every feature, keyed by name' },
    {
      type: 'array',
      items: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
      description: 'an image, channels × height × width',
    },
  ],
});

const predictRequest = (maxInstances: number) =>
  z
    .object(
      {
        instances: z
          .array(Instance)
          .min(1, { error: 'send at least one instance' })
          .max(maxInstances, { error: `send at most ${maxInstances} instances per request` }),
      },
      { error: 'the body must be a JSON object {"instances": [...]}' },
    )
    .openapi('PredictRequest');

const Prediction = z
  .object({
    class: z.number().int().openapi({ description: 'index of the most probable label' }),
    label: z.string(),
    probabilities: z.array(z.number()).openapi({ description: 'softmax probability per label, in label order' }),
  })
  .openapi('Prediction');

const PredictResponse = z.object({ model: z.string(), predictions: z.array(Prediction) }).openapi('PredictResponse');

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Model routes: list, manifest, predict (KServe v1 shape). Which bodies predict takes follows the manifest. */
export function modelRoutes(registry: ModelRegistry, limits: PredictLimits) {
  const app = new OpenAPIHono<AppEnv>();

  /** 404 for an unknown model before the body is looked at. */
  const knownModel: MiddlewareHandler<AppEnv> = async (c, next) => {
    registry.manifest(c.req.param('name') ?? '');
    return next();
  };

  const list = createRoute({
    method: 'get',
    path: '/v1/models',
    summary: 'The models served',
    security: BEARER_SECURITY,
    responses: {
      200: json(z.object({ models: z.array(ModelSummary) }), 'Every model'),
      ...errorResponses(401),
    },
  });

  const get = createRoute({
    method: 'get',
    path: '/v1/models/{name}',
    summary: "A model's manifest",
    security: BEARER_SECURITY,
    request: { params: ModelParams },
    responses: { 200: json(Manifest, 'The manifest'), ...errorResponses(401, 404) },
  });

  const predict = documented(
    app,
    createRoute({
      method: 'post',
      path: '/v1/models/{name}/predict',
      summary: 'Classify instances, or one image',
      description:
        'JSON {"instances": [...]} for every classifier (rows of features, or [C][H][W] arrays for an image ' +
        "classifier). An image classifier also takes one PNG or JPEG image as the body, prepared as its manifest's " +
        'input.preprocessing says (e.g. MNIST\'s: any size, either polarity).',
      security: BEARER_SECURITY,
      middleware: [knownModel, acceptBodies('json', 'image'), limitBody(limits.maxBodyBytes)] as const,
      request: {
        params: ModelParams,
        body: {
          required: true,
          content: { 'application/json': { schema: predictRequest(limits.maxInstances) }, ...imageContent },
        },
      },
      responses: {
        200: json(PredictResponse, 'One prediction per instance (one for an image body), in order'),
        ...errorResponses(400, 401, 404, 413, 415, 422, 503),
      },
    }),
  );

  return app
    .openapi(list, (c) => {
      const models = registry.names().map((name) => {
        const manifest = registry.manifest(name);
        const input = modelInput(manifest);
        const { task, labels, created } = manifest;
        return { name, task, input: input.kind, features: input.kind === 'tabular' ? input.features : [], labels, created };
      });
      return c.json({ models }, 200);
    })
    .openapi(get, (c) => c.json(registry.manifest(c.req.valid('param').name), 200))
    .openapi(predict, async (c) => {
      const { name } = c.req.valid('param');
      if (bodyKind(c.req.header('Content-Type')) === 'image') return c.json(await predictImage(c, registry, name), 200);
      const bundle = await registry.bundle(name);
      const { instances } = c.req.valid('json') as { instances: unknown[] };
      return c.json({ model: name, predictions: bundle.predict(instances) }, 200);
    });
}

/** An image body through an image classifier: 415 for a model that takes JSON only, before the body is read. */
async function predictImage(c: Context<AppEnv>, registry: ModelRegistry, name: string) {
  const manifest = registry.manifest(name);
  if (manifest.task !== 'image-classification') {
    throw new ApiError(415, 'unsupported_media_type', `model "${name}" is a ${manifest.task} model: send JSON {"instances": [...]}`, {
      accepted: ['application/json'],
    });
  }
  const bundle = await registry.bundle(name);
  const bytes = await readBody(c);
  if (bundle.input.kind !== 'image') throw new Error(`image classifier "${name}" has a ${bundle.input.kind} input`);
  const x = imageToInput(bytes, bundle.input, { maxPixels: MAX_IMAGE_PIXELS });
  const predictions: Prediction[] = bundle.predictImages(x, true);
  return { model: name, predictions };
}
