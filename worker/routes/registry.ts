// The registry's write routes (DESIGN.md, "Model registry"): publish a version, activate one, delete one. Reads and
// predictions of published versions are the model routes' (routes/models.ts).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { MODEL_NAME } from '../../sdk/serve';
import { adminAuth, BEARER_SECURITY } from '../auth';
import type { AppEnv } from '../bindings';
import { limitBody } from '../body';
import { ApiError, errorResponses } from '../errors';
import { type ModelCatalog, noRegistry } from '../registry/catalog';
import type { ModelIndex } from '../registry/store';
import { parseVersion } from '../registry/served-model';
import type { Upload } from '../registry/upload';
import { ModelParams, VersionParams } from './params';

export interface RegistryLimits {
  /** Largest upload (both files and the multipart framing), in bytes. */
  maxUploadBytes: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = { maxUploadBytes: 16 * 1024 * 1024 };

const UPLOAD_PARTS = ['model.json', 'model.safetensors'] as const;

const ActivateQuery = z.object({
  activate: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'false: store the version without serving it (default true)' }),
});

const Published = z
  .object({
    model: z.string(),
    version: z.number().int(),
    sha256: z.string().openapi({ description: 'SHA-256 of the weights file' }),
    active: z.boolean().openapi({ description: 'whether /predict now serves this version' }),
  })
  .openapi('Published');

const IndexAnswer = z
  .object({ model: z.string(), active: z.number().int().nullable(), versions: z.array(z.number().int()) })
  .openapi('RegistryIndex');

const UploadBody = z
  .object({
    'model.json': z.string().openapi({ format: 'binary', description: "the bundle's model.json" }),
    'model.safetensors': z.string().openapi({ format: 'binary', description: "the bundle's weights" }),
  })
  .openapi('Upload');

const ADMIN_ERRORS = [401, 403, 404, 503] as const;

/** PUT /v1/models/{name}, POST …/versions/{version}/activate, DELETE …/versions/{version}; all need the admin token. */
export function registryRoutes(catalog: ModelCatalog, limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS) {
  const app = new OpenAPIHono<AppEnv>();

  const publish = createRoute({
    method: 'put',
    path: '/v1/models/{name}',
    summary: 'Publish a new version of a model',
    description:
      'multipart/form-data with the parts model.json and model.safetensors (`curl -F model.json=@… -F ' +
      'model.safetensors=@…`). The bundle is checked in full (manifest, digest, shapes, ops, one forward pass) before ' +
      `anything is stored; at most ${limits.maxUploadBytes} bytes. The new version is served at once unless activate=false.`,
    security: BEARER_SECURITY,
    middleware: [adminAuth(), limitBody(limits.maxUploadBytes)] as const,
    request: {
      params: ModelParams,
      query: ActivateQuery,
      body: { required: true, content: { 'multipart/form-data': { schema: UploadBody } } },
    },
    responses: {
      201: { description: 'Stored', content: { 'application/json': { schema: Published } } },
      ...errorResponses(400, ...ADMIN_ERRORS, 413, 415, 422),
    },
  });

  /** A write on one version: admin token, `{name}` and `{version}`, answered with the model's index. */
  const versionRoute = (method: 'post' | 'delete', path: string, summary: string, answer: string, ...statuses: 409[]) =>
    createRoute({
      method,
      path,
      summary,
      security: BEARER_SECURITY,
      middleware: [adminAuth()] as const,
      request: { params: VersionParams },
      responses: {
        200: { description: answer, content: { 'application/json': { schema: IndexAnswer } } },
        ...errorResponses(...ADMIN_ERRORS, ...statuses),
      },
    });
  const activate = versionRoute(
    'post',
    '/v1/models/{name}/versions/{version}/activate',
    'Serve this version from /predict (roll back or forward)',
    'Active',
  );
  const remove = versionRoute('delete', '/v1/models/{name}/versions/{version}', 'Delete a version that is not active', 'Deleted', 409);

  // Documented as written, handled without zod's form validation: readUpload's errors name the parts.
  const { middleware, ...documentation } = publish;
  app.openAPIRegistry.registerPath(documentation);
  app.put('/v1/models/:name', ...middleware, async (c) => {
    const name = c.req.param('name');
    const bucket = requireBucket(c, name);
    const activate = c.req.query('activate') ?? 'true';
    if (activate !== 'true' && activate !== 'false') {
      throw new ApiError(422, 'invalid_request', `"activate" must be true or false, not ${JSON.stringify(activate)}`, { field: 'activate' });
    }
    const upload = await readUpload(c);
    const { record, index } = await catalog.publish(bucket, name, upload, activate === 'true');
    const body = { model: name, version: record.version, sha256: record.sha256, active: index.active === record.version };
    return c.json(body, 201, { Location: `/v1/models/${name}/versions/${record.version}` });
  });

  return app
    .openapi(activate, async (c) => {
      const { name, version } = c.req.valid('param');
      return c.json(indexAnswer(await catalog.activate(requireBucket(c, name), name, parseVersion(name, version))), 200);
    })
    .openapi(remove, async (c) => {
      const { name, version } = c.req.valid('param');
      return c.json(indexAnswer(await catalog.remove(requireBucket(c, name), name, parseVersion(name, version))), 200);
    });
}

function requireBucket(c: Context<AppEnv>, name: string): R2Bucket {
  if (!MODEL_NAME.test(name)) {
    throw new ApiError(422, 'invalid_request', `model name ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-"`);
  }
  const bucket = c.env?.MODELS;
  if (bucket === undefined) throw noRegistry();
  return bucket;
}

/** The two files of a multipart upload; 415 for another body, 422 naming the parts that are missing. */
async function readUpload(c: Context<AppEnv>): Promise<Upload> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    throw new ApiError(415, 'unsupported_media_type', `send multipart/form-data with the parts ${UPLOAD_PARTS.join(' and ')}`, {
      accepted: ['multipart/form-data'],
    });
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (error) {
    throw new ApiError(400, 'malformed_upload', `the multipart body cannot be read: ${(error as Error).message}`);
  }
  const [manifest, weights] = await Promise.all(UPLOAD_PARTS.map((part) => partBytes(form.get(part))));
  if (manifest === undefined || weights === undefined) {
    throw new ApiError(422, 'invalid_upload', `the upload needs the parts ${UPLOAD_PARTS.join(' and ')}`, {
      required: [...UPLOAD_PARTS],
      received: [...new Set(form.keys())],
    });
  }
  return { manifest, weights };
}

async function partBytes(part: File | string | null): Promise<Uint8Array | undefined> {
  if (part === null) return undefined;
  return typeof part === 'string' ? new TextEncoder().encode(part) : new Uint8Array(await part.arrayBuffer());
}

function indexAnswer({ model, active, versions }: ModelIndex) {
  return { model, active, versions: versions.map((record) => record.version) };
}
