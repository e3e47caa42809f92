import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../bindings';
import { BEARER_SECURITY } from '../auth';
import { acceptJson, limitBody } from '../body';
import { errorResponses } from '../errors';
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

const ModelSummary = z
  .object({
    name: z.string(),
    task: z.string(),
    features: z.array(z.string()),
    labels: z.array(z.string()),
    created: z.string(),
  })
  .openapi('ModelSummary');

const Manifest = z
  .object({
    format: z.string(),
    version: z.number(),
    name: z.string(),
    task: z.string(),
    architecture: z.record(z.string(), z.unknown()),
    preprocess: z.object({
      features: z.array(z.string()),
      scaler: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
      channels: z.number().optional(),
    }),
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
    "The model's features (GET /v1/models/{name}: preprocess.features), raw: the server applies the bundle's scaler.",
  oneOf: [
    { type: 'array', items: { type: 'number' }, description: 'every feature value, in manifest order' },
    { type: 'object', additionalProperties: { type: 'number' }, description: 'every feature, keyed by name' },
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

/** Model routes: list, manifest, predict (KServe v1 shape). */
export function modelRoutes(registry: ModelRegistry, limits: PredictLimits) {
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

  const predict = createRoute({
    method: 'post',
    path: '/v1/models/{name}/predict',
    summary: 'Classify instances',
    security: BEARER_SECURITY,
    middleware: [knownModel, acceptJson, limitBody(limits.maxBodyBytes)] as const,
    request: {
      params: ModelParams,
      body: { required: true, content: { 'application/json': { schema: predictRequest(limits.maxInstances) } } },
    },
    responses: {
      200: json(PredictResponse, 'One prediction per instance, in order'),
      ...errorResponses(400, 401, 404, 413, 415, 422, 503),
    },
  });

  return new OpenAPIHono<AppEnv>()
    .openapi(list, (c) => {
      const models = registry.names().map((name) => {
        const { task, preprocess, labels, created } = registry.manifest(name);
        return { name, task, features: preprocess.features, labels, created };
      });
      return c.json({ models }, 200);
    })
    .openapi(get, (c) => c.json(registry.manifest(c.req.valid('param').name), 200))
    .openapi(predict, async (c) => {
      const { name } = c.req.valid('param');
      const bundle = await registry.bundle(name);
      return c.json({ model: name, predictions: bundle.predict(c.req.valid('json').instances) }, 200);
    });
}
