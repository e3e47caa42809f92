import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { imageToInput, modelInput, type Prediction } from '../../sdk/serve';
import type { AppEnv } from '../bindings';
import { BEARER_SECURITY } from '../auth';
import { acceptBodies, bodyKind, limitBody, readBody } from '../body';
import { ApiError, errorResponses } from '../errors';
import { DEFAULT_IMAGE_LIMITS } from '../image/limits';
import { documented, imageContent } from '../image/openapi';
import type { ModelCatalog } from '../registry/catalog';
import { servedModel } from '../registry/served-model';
import { ModelParams, VersionParams } from './params';

export interface PredictLimits {
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** Most instances in one predict request. */
  maxInstances: number;
}


/** What a model's index lists of each published version. */
export const VersionSummary = z
  .object({
    version: z.number().int(),
    sha256: z.string(),
    bytes: z.number().int().openapi({ description: 'size of the weights file' }),
    created: z.string().openapi({ description: 'when the model was trained' }),
    published: z.string(),
    metrics: z.record(z.string(), z.unknown()),
    active: z.boolean(),
  })
  .openapi('VersionSummary');

/** Which model a name serves; a field of its own, as the manifest's `version` is its format's. */
const Served = {
  served: z
    .object({
      source: z.enum(['registry', 'built-in']),
      version: z.number().int().nullable().openapi({ description: 'the published version served; null for the built-in model' }),
    })
    .openapi({ description: "the registry's active version, or the model built into the Worker when none is published" }),
};

const served = (version: number | null) => ({ source: version === null ? 'built-in' : 'registry', version }) as const;

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
    ...Served,
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

const ModelDetails = Manifest.extend({
  ...Served,
  versions: z.array(VersionSummary).openapi({ description: 'every published version, oldest first; [] for a built-in model' }),
}).openapi('ModelDetails');

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

/**
 * Model routes: list, manifest and versions, predict (KServe v1 shape) with the active version or a pinned one.
 * Which bodies predict takes follows the manifest.
 */
/** Model routes; `counted` (PredictionsFirst.counted) runs first on each prediction. */
export function modelRoutes(catalog: ModelCatalog, limits: PredictLimits, counted: MiddlewareHandler<AppEnv>) {
  const app = new OpenAPIHono<AppEnv>();
  const knownModel = servedModel(catalog);

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
    summary: "A model's manifest and its published versions",
    security: BEARER_SECURITY,
    middleware: [knownModel] as const,
    request: { params: ModelParams },
    responses: { 200: json(ModelDetails, 'The manifest of the version served, and every version'), ...errorResponses(401, 404, 503) },
  });

  const predictRoute = (path: string, params: typeof ModelParams, summary: string) =>
    documented(
      app,
      createRoute({
        method: 'post',
        path,
        summary,
        description:
          'JSON {"instances": [...]} for every classifier (rows of features, or [C][H][W] arrays for an image ' +
          "classifier). An image classifier also takes one PNG or JPEG image as the body, prepared as its manifest's " +
          'input.preprocessing says (e.g. MNIST\'s: any size, either polarity).',
        security: BEARER_SECURITY,
        middleware: [counted, knownModel, acceptBodies('json', 'image'), limitBody(limits.maxBodyBytes)] as const,
        request: {
          params,
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
  const predict = predictRoute('/v1/models/{name}/predict', ModelParams, 'Classify instances, or one image, with the active version');
  const predictPinned = predictRoute(
    '/v1/models/{name}/versions/{version}/predict',
    VersionParams,
    'Classify with one published version, whichever is active',
  );

  const answerPredict = async (c: Context<AppEnv>) => {
    const model = c.var.model;
    if (bodyKind(c.req.header('Content-Type')) === 'image') return c.json(await predictImage(c, catalog), 200);
    const { instances } = (c.req as unknown as { valid(target: 'json'): { instances: unknown[] } }).valid('json');
    const predictions = await catalog.use(c.env?.MODELS, model, (bundle) => bundle.predict(instances));
    return c.json({ model: model.name, predictions }, 200);
  };

  return app
    .openapi(list, async (c) => {
      const bucket = c.env?.MODELS;
      const resolved = await Promise.all((await catalog.names(bucket)).map((name) => catalog.resolve(bucket, name)));
      const models = resolved.map(({ name, version, manifest }) => {
        const input = modelInput(manifest);
        const { task, labels, created } = manifest;
        const features = input.kind === 'tabular' ? input.features : [];
        return { name, task, input: input.kind, features, labels, created, served: served(version) };
      });
      return c.json({ models }, 200);
    })
    .openapi(get, async (c) => {
      const { name, version, manifest } = c.var.model;
      const index = c.env?.MODELS === undefined ? null : await catalog.index(c.env.MODELS, name);
      const versions = (index?.versions ?? []).map((record) => ({ ...record, active: record.version === index?.active }));
      return c.json({ ...manifest, served: served(version), versions }, 200);
    })
    .openapi(predict, answerPredict)
    .openapi(predictPinned, answerPredict);
}

/** An image body through an image classifier: 415 for a model that takes JSON only, before the body is read. */
async function predictImage(c: Context<AppEnv>, catalog: ModelCatalog) {
  const { name, manifest } = c.var.model;
  if (manifest.task !== 'image-classification') {
    throw new ApiError(415, 'unsupported_media_type', `model "${name}" is a ${manifest.task} model: send JSON {"instances": [...]}`, {
      accepted: ['application/json'],
    });
  }
  const bytes = await readBody(c);
  const predictions = await catalog.use(c.env?.MODELS, c.var.model, (bundle): Prediction[] => {
    if (bundle.input.kind !== 'image') throw new Error(`image classifier "${name}" has a ${bundle.input.kind} input`);
    return bundle.predictImages(imageToInput(bytes, bundle.input, { maxPixels: MAX_IMAGE_PIXELS }), true);
  });
  return { model: name, predictions };
}
