import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, PublishError } from '../errors';
import { MANIFEST_FILE, MODEL_NAME, WEIGHTS_FILE } from './format';
import { load } from './load';

/** What `Authorization: Bearer` can carry as the Worker reads it (one run of visible ASCII). */
const TOKEN = /^[\x21-\x7e]+$/;

export interface PublishOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787 (npm start). A trailing slash is ignored. */
  url: string;
  /** The model's name in the registry. Default: the manifest's `name`. */
  name?: string;
  /** The Worker's admin token (its EDGEML_ADMIN_TOKEN secret), sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Default: the global fetch. For tests, or to go through a custom agent or proxy. */
  fetch?: typeof fetch;
}

/** The version the registry made of the model. `url` is where it lives: `{url}/v1/models/{model}/versions/{version}`. */
export interface Published {
  model: string;
  version: number;
  /** Hex SHA-256 of the weights, as the registry computed it. */
  sha256: string;
  /** Whether the registry serves this version now. */
  active: boolean;
  url: string;
}

/**
 * Uploads the bundle folder `dir` to the model registry of the Worker at `options.url` as a new version of the
 * model `options.name`: `PUT {url}/v1/models/{name}` with a multipart body holding model.json and the weights file
 * it names as the parts `model.json` and `model.safetensors` (what `curl -F model.json=@… -F model.safetensors=@…`
 * sends). Nothing is sent unless the bundle loads: it throws ArgumentError for a url that is not http(s) or a name
 * or token the registry cannot take, and BundleError (from load) for a bundle that does not load. Throws
 * PublishError when the Worker cannot be reached, refuses the token (401, 403) or the bundle, or answers with
 * anything but a version record.
 */
export async function publish(dir: string, options: PublishOptions): Promise<Published> {
  const base = baseUrl(options.url);
  if (options.name !== undefined) checkName(options.name, 'name');
  if (options.token !== undefined && !TOKEN.test(options.token)) {
    throw new ArgumentError("token (the Worker's EDGEML_ADMIN_TOKEN) must be visible ASCII without spaces or line breaks");
  }
  const checked = await load(dir);
  checked.dispose(); // loaded only to check it: what is sent is the files' own bytes
  const { manifest } = checked;
  const name = options.name ?? checkName(manifest.name, "the bundle's name", ': pass a name to publish it under');
  const body = new FormData();
  body.append(MANIFEST_FILE, await filePart(dir, MANIFEST_FILE, 'application/json'), MANIFEST_FILE);
  // Always this part name: the registry stores the weights under it, whatever the bundle's file is called.
  body.append(WEIGHTS_FILE, await filePart(dir, manifest.weights.file, 'application/octet-stream'), WEIGHTS_FILE);
  const headers: Record<string, string> = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
  const { status, statusText, type, text } = await put(options.fetch ?? fetch, `${base}/v1/models/${name}`, { headers, body }, base);
  if (status < 200 || status > 299) throw refused(base, status, statusText, type, text, options.token !== undefined);
  const record = versionRecord(text);
  if (record === undefined) {
    throw new PublishError(
      `${base} answered ${status} but not with a version record (${snippet(type, text)}): is it an edgeml Worker with the model registry?`,
      { url: base, status },
    );
  }
  return { ...record, url: `${base}/v1/models/${record.model}/versions/${record.version}` };
}

function baseUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  // fetch refuses URLs with credentials, and a query or fragment would end up before the route's path
  const extra = parsed !== undefined && (parsed.username || parsed.password || parsed.search || parsed.hash);
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || extra) {
    throw new ArgumentError(`url must be the Worker's http(s) address, like http://127.0.0.1:8787, not ${JSON.stringify(url)}`, { url });
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`; // without a trailing slash, a bare "?" or "#"
}

function checkName(name: string, what: string, fix = ''): string {
  if (!MODEL_NAME.test(name)) {
    throw new ArgumentError(
      `${what} ${JSON.stringify(name)} is not a registry name (letters, digits, ".", "_" and "-", starting with a ` +
        `letter or digit)${fix}`,
      { name },
    );
  }
  return name;
}

async function filePart(dir: string, file: string, type: string): Promise<Blob> {
  return new Blob([new Uint8Array(await readFile(path.join(dir, file)))], { type });
}

/** The answer's status and body; PublishError when there is none (nothing listening, DNS, TLS, a dropped connection). */
async function put(send: typeof fetch, endpoint: string, init: { headers: Record<string, string>; body: FormData }, base: string) {
  try {
    const response = await send(endpoint, { method: 'PUT', ...init });
    const { status, statusText } = response;
    return { status, statusText, type: response.headers.get('Content-Type') ?? '', text: await response.text() };
  } catch (error) {
    // Node's fetch rejects with "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND…) in `cause`.
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    if (code === 'ECONNREFUSED') {
      throw new PublishError(
        `the Worker at ${base} is not reachable (connection refused): start it (npm start serves one on 127.0.0.1:8787) or check the URL`,
        { url: base, cause: code },
      );
    }
    const reason = (typeof cause?.message === 'string' && cause.message) || code || (error as Error).message;
    throw new PublishError(`no answer from the Worker at ${base} (${reason}): check the URL, and that the Worker is running`, {
      url: base,
      cause: code,
    });
  }
}

/** The PublishError for a 4xx/5xx answer, with what to do about it. */
function refused(base: string, status: number, statusText: string, type: string, text: string, sentToken: boolean): PublishError {
  const error = registryError(text);
  if (error === undefined) {
    // Not the registry's own answer: a proxy's or load balancer's page, or another server on that port.
    return new PublishError(
      `${base} answered ${status} ${statusText} with ${snippet(type, text)} instead of the registry's JSON error: ` +
        'check that the URL is the Worker (or what is in front of it failed)',
      { url: base, status },
    );
  }
  const details = { url: base, status, code: error.code, ...(error.details && { server: error.details }) };
  const said = `${error.message} (${status} ${error.code})`;
  if (status === 401) {
    return new PublishError(
      `${said}: publishing needs the Worker's admin token, its EDGEML_ADMIN_TOKEN (npm run publish-model reads it ` +
        `from that environment variable), and ${sentToken ? 'the token sent is not it' : 'none was sent'}`,
      details,
    );
  }
  if (status === 403 && error.code === 'registry_read_only') {
    return new PublishError(
      `${said}: give the Worker an EDGEML_ADMIN_TOKEN secret (npx wrangler secret put EDGEML_ADMIN_TOKEN, or ` +
        'EDGEML_ADMIN_TOKEN=… in .dev.vars for npm start), then publish with that token',
      details,
    );
  }
  if (status === 403) return new PublishError(`${said}: check that the token is the Worker's EDGEML_ADMIN_TOKEN`, details);
  // The Worker's answers for a route it lacks: an older Worker, or another app on that address.
  const noRoute = error.code === 'not_found' || error.code === 'method_not_allowed';
  const hint = noRoute ? `; is ${base} a Worker with the model registry?` : '';
  return new PublishError(`the registry refused the bundle (${status} ${error.code}): ${error.message}${hint}`, details);
}

/** `{"error": {"code", "message", "details"?}}`, the Worker's error body; undefined for anything else. */
function registryError(text: string): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  const error = (parseJson(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return undefined;
  const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : undefined;
  return { code: error.code, message: error.message, details };
}

/** `{"model", "version", "sha256", "active"}`, the registry's answer to an upload; undefined for anything else. */
function versionRecord(text: string): Omit<Published, 'url'> | undefined {
  const record = parseJson(text) as Partial<Record<keyof Published, unknown>> | undefined;
  const { model, version, sha256, active } = record ?? {};
  if (typeof model !== 'string' || !MODEL_NAME.test(model)) return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || typeof active !== 'boolean') return undefined;
  return { model, version, sha256, active };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short account of a body that is not the registry's: its type and its title or first words. */
function snippet(type: string, text: string): string {
  const title = /<title[^>]*>([^<]*)</i.exec(text)?.[1];
  const words = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  if (words === '') return `an empty ${type || 'body'}`;
  return `${type || 'a body'}: "${words.length > 120 ? `${words.slice(0, 120)}…` : words}"`;
}
