import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file part of a multipart upload as the server received it. */
export interface ReceivedPart {
  bytes: Buffer;
  type: string;
  filename: string;
}

/** One request as the fake registry saw it; `parts` is null when the body is not well-formed multipart/form-data. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  parts: Map<string, ReceivedPart> | null;
}

export interface Answer {
  status: number;
  body: string;
  type?: string;
}

/**
 * A stand-in for the Worker's model registry on 127.0.0.1 (a real HTTP server on a free port): it records every
 * request and answers with `answer`, by default the Worker's 201 to an upload, numbering versions per model and
 * hashing the `model.safetensors` part it received.
 */
export interface FakeRegistry {
  url: string;
  requests: ReceivedRequest[];
  answer: (request: ReceivedRequest) => Answer;
  /** Forgets the requests and the versions, and goes back to the default answer. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const versions = new Map<string, number>();
  const upload = (request: ReceivedRequest): Answer => {
    const model = request.path.split('/')[3];
    const version = (versions.get(model) ?? 0) + 1;
    versions.set(model, version);
    const weights = request.parts?.get('model.safetensors')?.bytes ?? Buffer.alloc(0);
    const sha256 = createHash('sha256').update(weights).digest('hex');
    return { status: 201, body: JSON.stringify({ model, version, sha256, active: version === 1 }) };
  };
  const registry: FakeRegistry = {
    url: '',
    requests: [],
    answer: upload,
    reset: () => {
      registry.requests.length = 0;
      registry.answer = upload;
      versions.clear();
    },
    close: () => closed(server),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      parts: await multipartParts(req.headers['content-type'], Buffer.concat(chunks)),
    };
    registry.requests.push(request);
    const { status, body, type = 'application/json' } = registry.answer(request);
    res.writeHead(status, { 'Content-Type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return registry;
}

/** The Worker's error body: `{"error": {"code", "message"}}` with `status`. */
export const errorAnswer = (status: number, code: string, message: string): Answer => ({
  status,
  body: JSON.stringify({ error: { code, message } }),
});

/** A URL where nothing listens: a port that was just free. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closed(server);
  return `http://127.0.0.1:${port}`;
}

/** Parsed with the Fetch API's own multipart reader, so that the test does not trust a parser of its own. */
async function multipartParts(type: string | undefined, body: Buffer): Promise<Map<string, ReceivedPart> | null> {
  if (type === undefined || !type.startsWith('multipart/form-data')) return null;
  const request = new Request('http://registry/', { method: 'PUT', headers: { 'Content-Type': type }, body: new Uint8Array(body) });
  const form = await request.formData().catch(() => null); // malformed: the test sees no parts
  if (form === null) return null;
  const files: [string, File][] = [];
  form.forEach((value, name) => typeof value !== 'string' && files.push([name, value])); // not iterable in the DOM lib
  const parts = new Map<string, ReceivedPart>();
  for (const [name, file] of files) {
    parts.set(name, { bytes: Buffer.from(await file.arrayBuffer()), type: file.type, filename: file.name });
  }
  return parts;
}

function closed(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
