import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, bundle, BundleError, PublishError } from '../../../sdk/index';
import { repoRoot } from '../../helpers/fixtures';
import { closedPortUrl, errorAnswer, startFakeRegistry, type FakeRegistry } from '../../helpers/fake-registry';

const PHONE = path.join(repoRoot, 'worker/models/phone-price');

/** The error `promise` rejects with, asserted to be a `type`. */
async function rejection<E extends Error>(type: abstract new (...args: never[]) => E, promise: Promise<unknown>): Promise<E> {
  const error = await promise.then(
    () => new Error(`expected a ${type.name}, but it resolved`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/** A copy of the phone-price bundle in a folder of another name, for changing. */
async function phoneCopy(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'edgeml-publish-')), 'copy');
  await cp(PHONE, dir, { recursive: true });
  return dir;
}

describe('bundle.publish', () => {
  let registry: FakeRegistry;
  beforeAll(async () => (registry = await startFakeRegistry()));
  afterAll(() => registry.close());
  beforeEach(() => registry.reset());

  it('PUTs model.json and the weights as the parts model.json and model.safetensors, with the bearer token', async () => {
    const published = await bundle.publish(PHONE, { url: registry.url, name: 'phones', token: 's3cret-token' });

    expect(registry.requests).toHaveLength(1);
    const [request] = registry.requests;
    expect(request.method).toBe('PUT');
    expect(request.path).toBe('/v1/models/phones');
    expect(request.authorization).toBe('Bearer s3cret-token');
    expect([...request.parts!.keys()]).toEqual(['model.json', 'model.safetensors']);
    const json = request.parts!.get('model.json')!;
    const weights = request.parts!.get('model.safetensors')!;
    expect(json.bytes.equals(await readFile(path.join(PHONE, 'model.json')))).toBe(true);
    expect(weights.bytes.equals(await readFile(path.join(PHONE, 'model.safetensors')))).toBe(true);
    expect([json.type, json.filename]).toEqual(['application/json', 'model.json']);
    expect([weights.type, weights.filename]).toEqual(['application/octet-stream', 'model.safetensors']);

    const manifest = JSON.parse(json.bytes.toString('utf8'));
    expect(published).toEqual({
      model: 'phones',
      version: 1,
      sha256: manifest.weights.sha256,
      active: true,
      url: `${registry.url}/v1/models/phones/versions/1`,
    });
    const again = await bundle.publish(PHONE, { url: registry.url, name: 'phones', token: 's3cret-token' });
    expect(again).toMatchObject({ version: 2, active: false, url: `${registry.url}/v1/models/phones/versions/2` });
  });

  it("names the model after the manifest's name by default, not the folder, and ignores a trailing slash", async () => {
    const published = await bundle.publish(await phoneCopy(), { url: `${registry.url}/` });
    expect(registry.requests.map((r) => r.path)).toEqual(['/v1/models/phone-price']);
    expect(registry.requests[0].authorization).toBeUndefined();
    expect(published.url).toBe(`${registry.url}/v1/models/phone-price/versions/1`);
  });

  it('sends the weights file the manifest names, still as the part model.safetensors', async () => {
    const dir = await phoneCopy();
    const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    await cp(path.join(dir, 'model.safetensors'), path.join(dir, 'weights.bin'));
    await writeFile(path.join(dir, 'model.safetensors'), 'not these');
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, weights: { ...manifest.weights, file: 'weights.bin' } }));
    await bundle.publish(dir, { url: registry.url });
    const weights = registry.requests[0].parts!.get('model.safetensors')!.bytes;
    expect(weights.equals(await readFile(path.join(PHONE, 'model.safetensors')))).toBe(true);
  });

  it('passes on a 401 with the server message and says to use EDGEML_ADMIN_TOKEN', async () => {
    registry.answer = () => errorAnswer(401, 'unauthorized', 'the bearer token is missing or wrong');
    const error = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url }));
    expect(error.code).toBe('publish_failed');
    expect(error.details).toMatchObject({ status: 401, code: 'unauthorized', url: registry.url });
    expect(error.message).toContain('the bearer token is missing or wrong');
    expect(error.message).toContain('and none was sent');
    expect(error.message).toContain('EDGEML_ADMIN_TOKEN');
    const wrong = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 'guess' }));
    expect(wrong.message).toContain('the token sent is not it');
  });

  it('says how to give a read-only registry (403) its admin token', async () => {
    registry.answer = () => errorAnswer(403, 'registry_read_only', 'this Worker has no admin token, so its registry is read-only');
    const error = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 't' }));
    expect(error.details).toMatchObject({ status: 403, code: 'registry_read_only' });
    expect(error.message).toContain('this Worker has no admin token');
    expect(error.message).toMatch(/wrangler secret put EDGEML_ADMIN_TOKEN.*\.dev\.vars/);
  });

  it("reports the registry's refusal of the bundle with its status, code and message", async () => {
    registry.answer = () => errorAnswer(422, 'invalid_bundle', 'model.json: weights.sha256 does not match');
    const error = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 't' }));
    expect(error.details).toMatchObject({ status: 422, code: 'invalid_bundle', url: registry.url });
    expect(error.message).toBe('the registry refused the bundle (422 invalid_bundle): model.json: weights.sha256 does not match');

    registry.answer = () => errorAnswer(405, 'method_not_allowed', 'PUT is not allowed on /v1/models/phone-price; use GET');
    const older = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 't' }));
    expect(older.message).toContain(`use GET; is ${registry.url} a Worker with the model registry?`);
  });

  it("explains an answer that is not the registry's JSON, such as a proxy's HTML page", async () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';
    registry.answer = () => ({ status: 502, body: page, type: 'text/html' });
    const error = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 't' }));
    expect(error.details).toMatchObject({ status: 502, url: registry.url });
    expect(error.details!.code).toBeUndefined();
    expect(error.message).toContain(`${registry.url} answered 502 Bad Gateway with text/html: "502 Bad Gateway"`);
    expect(error.message).toContain("instead of the registry's JSON error");

    registry.answer = () => ({ status: 200, body: '<html>welcome</html>', type: 'text/html' });
    const ok = await rejection(PublishError, bundle.publish(PHONE, { url: registry.url, token: 't' }));
    expect(ok.message).toContain('not with a version record');
  });

  it('says the Worker is not reachable and to start it when nothing listens', async () => {
    const url = await closedPortUrl();
    const error = await rejection(PublishError, bundle.publish(PHONE, { url, token: 't' }));
    expect(error.message).toContain(`the Worker at ${url} is not reachable (connection refused)`);
    expect(error.message).toContain('npm start');
    expect(error.details).toMatchObject({ url });
  });

  it('throws BundleError for a broken bundle without contacting the registry', async () => {
    const dir = await phoneCopy();
    const weights = await readFile(path.join(dir, 'model.safetensors'));
    weights[weights.length - 1] ^= 0xff;
    await writeFile(path.join(dir, 'model.safetensors'), weights);
    const error = await rejection(BundleError, bundle.publish(dir, { url: registry.url, token: 't' }));
    expect(error.message).toContain(dir);
    await rejection(BundleError, bundle.publish(path.join(dir, 'absent'), { url: registry.url }));
    expect(registry.requests).toEqual([]);
  });

  it('throws ArgumentError for a bad url, name or token without contacting the registry', async () => {
    for (const url of ['127.0.0.1:8787', 'not a url', 'ftp://127.0.0.1', `${registry.url}/?x=1`]) {
      const error = await rejection(ArgumentError, bundle.publish(PHONE, { url }));
      expect(error.message).toContain("the Worker's http(s) address");
    }
    for (const name of ['', 'two words', '../up', '-dash', 'a/b']) {
      const error = await rejection(ArgumentError, bundle.publish(PHONE, { url: registry.url, name }));
      expect(error.message).toContain('is not a registry name');
    }
    await rejection(ArgumentError, bundle.publish(PHONE, { url: registry.url, token: 'line\n' }));
    expect(registry.requests).toEqual([]);
  });

  it("asks for a name when the manifest's is not a registry name", async () => {
    const dir = await phoneCopy();
    const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, name: 'phone price' }));
    const error = await rejection(ArgumentError, bundle.publish(dir, { url: registry.url }));
    expect(error.message).toBe(
      `the bundle's name "phone price" is not a registry name (letters, digits, ".", "_" and "-", starting with a letter or digit): pass a name to publish it under`,
    );
    expect(registry.requests).toEqual([]);
    expect((await bundle.publish(dir, { url: registry.url, name: 'phone-price' })).model).toBe('phone-price');
  });
});
