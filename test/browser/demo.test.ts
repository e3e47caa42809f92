// The demo page (GET /) in a real browser: Debian's Chromium, driven by playwright-core, against the real Worker
// under `wrangler dev`. Runs in Node (the vitest "node" project), as part of npm test; .ci/run installs Chromium.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startWrangler, type WranglerServer } from '../../scripts/wrangler.mjs';

/** The served digits model's held-out accuracy as the page writes it (e.g. "98.9%"). */
const DIGITS_ACCURACY = `${(
  100 * (JSON.parse(readFileSync(path.join(ROOT, 'worker/models/digits/model.json'), 'utf8')) as { metrics: { test_accuracy: number } }).metrics.test_accuracy
).toFixed(1)}%`;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const SAMPLE = path.join(ROOT, 'data/sample.png');
const JPEG = path.join(ROOT, 'test/fixtures/images/rgb.jpg');
const hasChromium = existsSync(CHROMIUM);
/** The Worker's admin token here, to publish model versions to its local R2 bucket. */
const ADMIN = 'demo-test-admin-token';

interface Prediction {
  label: string;
  probabilities: number[];
}
interface ApiAnswer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  json(): any;
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'demo page in Chromium' : `demo page in Chromium: skipped, ${CHROMIUM} is not installed (.ci/run installs it)`,
  () => {
    let server: WranglerServer;
    /** The Worker's local R2 state: a fresh folder, so that nothing is published until the tests publish it. */
    let state: string;
    let browser: Browser;
    let page: Page;
    /** What went wrong on `page` (see watch). */
    const problems: string[] = [];

    /** Sends a request to the Worker from Node, as a client of the API would. */
    async function call(route: string, body: Uint8Array | object, contentType = 'application/json'): Promise<ApiAnswer> {
      const response = await fetch(`${server.url}${route}`, {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body: body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const json = () => JSON.parse(new TextDecoder().decode(bytes));
      return { status: response.status, headers: response.headers, bytes, json };
    }

    /** Runs `act` and waits for the page to show the answer to the request it makes to `url` (path and query). */
    async function answered(region: string, url: string, act: () => Promise<unknown>) {
      const response = page.waitForResponse((r) => r.url() === `${server.url}${url}`);
      await act();
      await response;
      await page.waitForSelector(`${region}[aria-busy="false"]`, { state: 'attached' });
    }

    /**
     * Opens the page on a 390 × 844 screen in the dark colour scheme, waits for its first prediction, runs `act`, and
     * checks that nothing is wider than the screen and nothing went wrong; the screenshot goes to test-artifacts.
     */
    async function onPhone(screenshot: string, act: (phone: Page) => Promise<unknown>, { fullPage = false } = {}) {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
      try {
        const errors: string[] = [];
        await watch(phone, errors);
        await phone.goto(server.url);
        await phone.waitForSelector('#phone-result[aria-busy="false"]');
        await act(phone);
        await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
        await phone.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage });
        expect(errors).toEqual([]);
      } finally {
        await phone.close();
      }
    }

    /**
     * Records on `into` what must not happen on a page: console errors (CSP violations are logged as such),
     * uncaught exceptions, and requests anywhere but the Worker.
     */
    async function watch(target: Page, into: string[]) {
      await target.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (event) =>
          console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`),
        ),
      );
      target.on('console', (message) => message.type() === 'error' && into.push(message.text()));
      target.on('pageerror', (error) => into.push(`uncaught: ${error.message}`));
      // A 5xx is never expected; its body names the error, and wrangler's log the route's exception.
      target.on('response', async (response) => {
        if (response.status() < 500) return;
        const body = await response.text().catch(() => '(body unread)');
        const log = server.output().trimEnd().split('\n').slice(-20).join('\n');
        into.push(`${response.status()} for ${response.request().method()} ${response.url()}: ${body}\n--- wrangler ---\n${log}`);
      });
      target.on('request', (request) => {
        const url = new URL(request.url());
        if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== server.url) into.push(`request to ${url}`);
      });
    }

    /**
     * Runs `act` on `target` and gives the paths of the predict requests it made, once the page has answered the last
     * of them and `region` is no longer busy.
     */
    async function predictCalls(target: Page, region: string, act: () => Promise<unknown>) {
      const calls: string[] = [];
      const record = (request: Request) => {
        const { pathname } = new URL(request.url());
        if (request.method() === 'POST' && pathname.endsWith('/predict')) calls.push(pathname);
      };
      target.on('request', record);
      try {
        const answered = target.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/predict'), { timeout: 10_000 });
        await act();
        await answered;
        await target.waitForSelector(`${region}[aria-busy="false"]`, { state: 'attached' });
      } finally {
        target.off('request', record);
      }
      return calls;
    }

    /** The texts of a <select>'s options, and whether it can be used. */
    const picker = (target: Page, selector: string) =>
      target.$eval(selector, (select: HTMLSelectElement) => ({
        options: Array.from(select.options, (option) => option.text),
        value: select.value,
        disabled: select.disabled,
      }));

    /** Submits the phone form and waits for the page to show the answer. */
    const predict = () =>
      answered('#phone-result', '/v1/models/phone-price/predict', () => page.click('#phone-form button[type="submit"]'));

    /** The phone form's values as the instance the page sends: numbers, 0/1 for boxes, null for an empty field. */
    const formInstance = (target = page) =>
      target.locator('#phone-form input').evaluateAll((inputs) =>
        Object.fromEntries(
          (inputs as HTMLInputElement[]).map((input) => [
            input.name,
            input.type === 'checkbox' ? Number(input.checked) : input.value === '' ? null : Number(input.value),
          ]),
        ),
      );

    /** The problems seen since the last call, cleared. */
    const takeProblems = () => problems.splice(0);
    /** What Chromium logs for a fetch() answered with this 4xx status: expected after bad input, and only then. */
    const failedLoad = (status: number) => expect.stringContaining(`the server responded with a status of ${status}`);

    beforeAll(async () => {
      state = await mkdtemp(path.join(tmpdir(), 'edgeml-demo-r2-'));
      server = await startWrangler({ readyTimeoutMs: 90_000, vars: { EDGEML_ADMIN_TOKEN: ADMIN }, persistTo: state });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await watch(page, problems);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.goto(server.url);
      await page.waitForSelector('#phone-result[aria-busy="false"]');
      await page.waitForSelector('#image-result[aria-busy="false"]');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      expect(await server?.stop()).toBe(true);
      if (state) await rm(state, { recursive: true, force: true });
    }, 30_000);

    it('is served with a strict Content-Security-Policy and needs nothing inline or from elsewhere', async () => {
      const response = await fetch(`${server.url}/`);
      const csp = response.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe');
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      for (const [file, type] of [['/page.js', 'text/javascript'], ['/page.css', 'text/css'], ['/sample.png', 'image/png']]) {
        const asset = await fetch(`${server.url}${file}`);
        expect(asset.status, file).toBe(200);
        expect(asset.headers.get('Content-Type'), file).toContain(type);
      }
      expect(takeProblems()).toEqual([]);
    });

    it('builds the phone form from the manifest and shows the class the API predicts for the same values', async () => {
      const inputs = page.locator('#phone-form input');
      await expect(inputs.count()).resolves.toBe(20);
      await expect(page.inputValue('[name="battery_power"]')).resolves.toBe('1238');
      await expect(page.getAttribute('[name="clock_speed"]', 'step')).resolves.toBe('0.1');
      await expect(page.getAttribute('[name="wifi"]', 'type')).resolves.toBe('checkbox');

      const phones = {
        budget: { ram: '400', battery_power: '600', px_height: '300', px_width: '700' },
        flagship: { ram: '3900', battery_power: '1950', px_height: '1800', px_width: '1900' },
      };
      const shown: Record<string, string> = {};
      for (const [name, values] of Object.entries(phones)) {
        for (const [feature, value] of Object.entries(values)) await page.fill(`[name="${feature}"]`, value);
        await predict();
        const answer = await call('/v1/models/phone-price/predict', { instances: [await formInstance()] });
        expect(answer.status).toBe(200);
        const expected: Prediction = answer.json().predictions[0];
        shown[name] = (await page.textContent('#phone-label')) ?? '';
        expect(shown[name], name).toBe(expected.label);
        await expect(page.locator('#phone-bars .value').allTextContents()).resolves.toEqual(
          expected.probabilities.map((p) => `${(p * 100).toFixed(1)}%`),
        );
      }
      expect(shown.budget).not.toBe(shown.flagship);
      await expect(page.isHidden('#phone-error')).resolves.toBe(true);
      expect(takeProblems()).toEqual([]);
    });

    it('says "built-in" in both version pickers while nothing is published, and predicts with /predict', async () => {
      const pickers = page.getByRole('combobox', { name: 'Model version' });
      await expect(pickers.evaluateAll((selects) => selects.map((select) => select.id))).resolves.toEqual([
        'phone-version',
        'digit-version',
      ]);
      for (const id of ['#phone-version', '#digit-version']) {
        await expect(picker(page, id), id).resolves.toEqual({ options: ['built-in'], value: '', disabled: true });
      }
      await expect(page.textContent('#phone-about')).resolves.toMatch(/^The phone-price model: .*97% right/);
      await expect(page.textContent('#digit-about')).resolves.toMatch(new RegExp(`^The digits model, a small CNN, ${escaped(DIGITS_ACCURACY)} right`));
      const calls = await predictCalls(page, '#phone-result', () => page.click('#phone-form button[type="submit"]'));
      expect(calls).toEqual(['/v1/models/phone-price/predict']);
      const answer = await call('/v1/models/phone-price/predict', { instances: [await formInstance()] });
      await expect(page.textContent('#phone-label')).resolves.toBe(answer.json().predictions[0].label);
      expect(takeProblems()).toEqual([]);
    });

    it.each([
      {
        transform: 'the kernels sobel_y and edge, stride 2, padding 1',
        choose: async () => {
          await page.check('input[name="transform"][value="conv2d"]');
          await page.check('input[name="kernel"][value="edge"]');
          await page.uncheck('input[name="kernel"][value="sobel_x"]');
          await page.fill('[name="conv_stride"]', '2');
          await page.fill('[name="conv_padding"]', '1');
        },
        url: `/v1/image/conv2d?${new URLSearchParams({ kernel: 'sobel_y,edge', stride: '2', padding: '1' })}`,
        maps: 2,
        formula: ['H = W, conv2d: ⌊(192 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 96'],
      },
      {
        transform: 'max pool, kernel 3, stride 2, padding 1',
        choose: async () => {
          await page.check('input[name="transform"][value="pool"]');
          await page.selectOption('[name="mode"]', 'max');
          await page.fill('[name="kernel_size"]', '3');
          await page.fill('[name="pool_stride"]', '2');
          await page.fill('[name="pool_padding"]', '1');
        },
        url: '/v1/image/pool?mode=max&kernel_size=3&stride=2&padding=1',
        maps: 1,
        formula: ['H = W, max pool: ⌊(192 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 96'],
      },
      {
        transform: 'the features bundle',
        choose: () => page.check('input[name="transform"][value="model:features"]'),
        url: '/v1/models/features/transform',
        maps: 4,
        formula: [
          'H = W, Conv2d: ⌊(192 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1 = 95',
          'H = W, MaxPool2d: ⌊(95 + 2·0 − 1·(2 − 1) − 1)/2⌋ + 1 = 47',
        ],
      },
    ])('shows the sample image beside its feature maps through $transform, with the shape and the size formula', async ({
      choose,
      url,
      maps,
      formula,
    }) => {
      await answered('#image-result', url, async () => {
        await choose();
        await page.click('#image-form button[type="submit"]');
      });
      const answer = await call(url, readFileSync(SAMPLE), 'image/png');
      expect(answer.status).toBe(200);
      const shape = answer.headers.get('X-Output-Shape')!.split(',').map(Number);
      expect(shape[1]).toBe(maps);
      await expectMaps(shape, answer.bytes);
      const shown = (await page.textContent('#formula')) ?? '';
      for (const line of formula) expect(shown).toContain(line);
      expect(formula.at(-1)).toMatch(new RegExp(`= ${shape.at(-1)}$`));
      await expect(page.textContent('#input-caption')).resolves.toBe('sample.png, 192 × 192');
      expect(takeProblems()).toEqual([]);
    });

    it('transforms an uploaded JPEG', async () => {
      await expect(page.isChecked('input[name="transform"][value="model:features"]')).resolves.toBe(true);
      await answered('#image-result', '/v1/models/features/transform', () => page.setInputFiles('#image-file', JPEG));
      const answer = await call('/v1/models/features/transform', readFileSync(JPEG), 'image/jpeg');
      expect(answer.status).toBe(200);
      await expectMaps(answer.headers.get('X-Output-Shape')!.split(',').map(Number), answer.bytes);
      await expect(page.textContent('#input-caption')).resolves.toBe('rgb.jpg, 16 × 16');
      const formula = 'H = W, MaxPool2d: ⌊(7 + 2·0 − 1·(2 − 1) − 1)/2⌋ + 1 = 3';
      await expect(page.textContent('#formula')).resolves.toContain(formula);
      expect(takeProblems()).toEqual([]);
    });

    it('works the formula out per side for an image that is not square', async () => {
      const file = path.join(ROOT, 'test/fixtures/images/rgb8_adam7.png'); // 7 wide, 5 high
      await answered('#image-result', '/v1/models/features/transform', () => page.setInputFiles('#image-file', file));
      const answer = await call('/v1/models/features/transform', readFileSync(file), 'image/png');
      expect(answer.headers.get('X-Output-Shape')).toBe('1,4,1,1');
      await expectMaps([1, 4, 1, 1], answer.bytes);
      const formula = (await page.textContent('#formula')) ?? '';
      expect(formula).toContain('H, Conv2d: ⌊(5 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1 = 2');
      expect(formula).toContain('W, Conv2d: ⌊(7 + 2·0 − 1·(3 − 1) − 1)/2⌋ + 1 = 3');
      expect(formula).toContain('W, MaxPool2d: ⌊(3 + 2·0 − 1·(2 − 1) − 1)/2⌋ + 1 = 1');
      expect(takeProblems()).toEqual([]);
    });

    it('saves a screenshot of the page at work', async () => {
      await answered('#image-result', '/v1/models/features/transform', () => page.click('#use-sample'));
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo.png'), fullPage: true });
      expect(takeProblems()).toEqual([]);
    });

    it("shows the API's error for a feature that is not a number, on that feature", async () => {
      await page.fill('[name="ram"]', '');
      await predict();
      const answer = await call('/v1/models/phone-price/predict', { instances: [await formInstance()] });
      expect(answer.status).toBe(422);
      const { code, message } = answer.json().error;
      await expect(page.textContent('#phone-error')).resolves.toBe(`422 ${code}: ${message}`);
      expect(message).toContain('ram');
      await expect(page.getAttribute('[name="ram"]', 'aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('ram');
      await expect(page.isHidden('#phone-result')).resolves.toBe(true); // no stale answer beside the error
      expect(takeProblems()).toEqual([failedLoad(422)]);

      await page.fill('[name="ram"]', '2000');
      await predict();
      await expect(page.isHidden('#phone-error')).resolves.toBe(true);
      await expect(page.isVisible('#phone-result')).resolves.toBe(true);
      await expect(page.getAttribute('[name="ram"]', 'aria-invalid')).resolves.toBe(null);
      expect(takeProblems()).toEqual([]);
    });

    it.each([
      { file: { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') } },
      { file: { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a PNG either') } },
    ])("shows the API's error for an upload that is not an image: $file.name", async ({ file }) => {
      await answered('#image-result', '/v1/models/features/transform', () => page.setInputFiles('#image-file', file));
      const answer = await call('/v1/models/features/transform', new Uint8Array(file.buffer), file.mimeType);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const { code, message } = answer.json().error;
      await expect(page.textContent('#image-error')).resolves.toBe(`${answer.status} ${code}: ${message}`);
      await expect(page.isHidden('#output-image')).resolves.toBe(true);
      await expect(page.textContent('#output-shape')).resolves.toBe('–');
      expect(takeProblems()).toEqual([failedLoad(answer.status)]);
    });

    it('saves a screenshot of the errors, then recovers with the sample image', async () => {
      await page.fill('[name="ram"]', '');
      await page.locator('[name="ram"]').pressSequentially('1e'); // not a number: the input's value is ''
      await expect(page.$eval('[name="ram"]', (input: HTMLInputElement) => input.validity.badInput)).resolves.toBe(true);
      await predict();
      expect(takeProblems()).toEqual([failedLoad(422)]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-errors.png'), fullPage: true });
      await answered('#image-result', '/v1/models/features/transform', () => page.click('#use-sample'));
      await expect(page.isHidden('#image-error')).resolves.toBe(true);
      await expect(page.isVisible('#output-image')).resolves.toBe(true);
      expect(takeProblems()).toEqual([]);
    });

    describe('draw a digit', () => {
      /** A point on the canvas, as fractions of its width and height. */
      type Point = [x: number, y: number];

      const ONE: Point[][] = [[[0.5, 0.15], [0.5, 0.85]]];
      const SEVEN: Point[][] = [
        [[0.25, 0.2], [0.75, 0.2]],
        [[0.75, 0.2], [0.4, 0.85]],
      ];
      /** An ellipse of many small moves. */
      const ZERO: Point[][] = [
        Array.from({ length: 49 }, (_, i): Point => {
          const angle = (i / 48) * 2 * Math.PI;
          return [0.5 + 0.22 * Math.sin(angle), 0.5 - 0.33 * Math.cos(angle)];
        }),
      ];

      /** Draws `strokes` on `target`'s canvas with Chromium's mouse: press, move in small steps, release. */
      async function draw(target: Page, strokes: Point[][]) {
        await target.locator('#digit-canvas').scrollIntoViewIfNeeded();
        const box = (await target.locator('#digit-canvas').boundingBox())!;
        const at = ([x, y]: Point) => [box.x + x * box.width, box.y + y * box.height] as const;
        for (const [first, ...rest] of strokes) {
          await target.mouse.move(...at(first));
          await target.mouse.down();
          for (const point of rest) await target.mouse.move(...at(point), { steps: rest.length > 4 ? 2 : 16 });
          await target.mouse.up();
        }
      }

      /**
       * Runs `act` on `target` and waits until the page has shown the answers to everything it sent; gives the body
       * of the last image the page sent to predict, and of the last it sent to transform (the same canvas).
       */
      async function settled(target: Page, act: () => Promise<unknown>) {
        const sent: Record<string, Buffer[]> = { predict: [], transform: [] };
        const record = (request: import('playwright-core').Request) => {
          const route = new URL(request.url()).pathname.match(/^\/v1\/models\/[^/]+\/(predict|transform)$/)?.[1];
          if (route && request.method() === 'POST') sent[route].push(request.postDataBuffer()!);
        };
        target.on('request', record);
        try {
          await act();
          await target.waitForSelector('#digit-result[aria-busy="false"]', { state: 'attached' });
        } finally {
          target.off('request', record);
        }
        expect(sent.predict.length, 'images sent to predict').toBeGreaterThan(0);
        expect(sent.transform.at(-1)).toEqual(sent.predict.at(-1));
        return new Uint8Array(sent.predict.at(-1)!);
      }

      /**
       * Draws `strokes` on `target`'s canvas with a finger: touch events through the DevTools protocol (Chromium turns
       * them into pointer events of type touch), in steps of about 1/40 of the canvas.
       */
      async function touch(target: Page, strokes: Point[][]) {
        await target.locator('#digit-canvas').scrollIntoViewIfNeeded();
        const box = (await target.locator('#digit-canvas').boundingBox())!;
        const cdp = await target.context().newCDPSession(target);
        const at = ([x, y]: Point) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
        try {
          for (const [first, ...rest] of strokes) {
            await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(first)] });
            let from = first;
            for (const to of rest) {
              const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) * 40));
              for (let i = 1; i <= steps; i++) {
                const point: Point = [from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps];
                await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(point)] });
              }
              from = to;
            }
            await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
          }
        } finally {
          await cdp.detach();
        }
      }

      /** Clears the canvas, draws `strokes`, and checks that `target` shows the class `expected` and the API's
       *  answer (probabilities and feature maps) for the PNG it sent. */
      async function drawAndCheck(target: Page, strokes: Point[][], expected: number, drawWith = draw) {
        await target.click('#digit-clear');
        const png = await settled(target, () => drawWith(target, strokes));
        expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
        // Scaled from the 280 × 280 canvas to 112 × 112 before it is sent: less for the Worker to decode and prepare.
        const header = new DataView(png.buffer, png.byteOffset);
        expect([header.getUint32(16), header.getUint32(20)]).toEqual([112, 112]);
        const answer = await call('/v1/models/digits/predict', png, 'image/png');
        expect(answer.status).toBe(200);
        const { model, predictions } = answer.json() as { model: string; predictions: (Prediction & { class: number })[] };
        expect(model).toBe('digits');
        const shown = (await target.textContent('#digit-label')) ?? '';
        const probabilities = predictions[0].probabilities.map((p) => p.toFixed(3)).join(' ');
        expect(shown, `the class shown for a drawn ${expected} (probabilities ${probabilities}; main page: ${problems.join('; ') || 'no error seen'})`).toBe(String(expected));
        expect(predictions[0].class).toBe(expected);

        // Ten bars, in label order, that are the API's probabilities and add up to 1.
        const values = await target.locator('#digit-bars .value').allTextContents();
        expect(values).toEqual(predictions[0].probabilities.map((p) => `${(p * 100).toFixed(1)}%`));
        expect(values.reduce((sum, value) => sum + Number.parseFloat(value), 0)).toBeCloseTo(100, 0);
        const widths = await target.locator('#digit-bars .fill').evaluateAll((fills) =>
          fills.map((fill) => Number.parseFloat((fill as HTMLElement).style.width)),
        );
        expect(widths).toHaveLength(10);
        expect(widths.reduce((sum, width) => sum + width, 0)).toBeGreaterThan(99.5);
        expect(widths.reduce((sum, width) => sum + width, 0)).toBeLessThan(100.5);
        await expect(target.textContent('#digit-bars .best .name')).resolves.toBe(String(expected));
        await expect(target.locator('#digit-bars .name').allTextContents()).resolves.toEqual(
          Array.from({ length: 10 }, (_, i) => String(i)),
        );

        // The first layer's feature maps of the same PNG, loaded.
        const maps = await call('/v1/models/digits/transform', png, 'image/png');
        expect(maps.status).toBe(200);
        const [channels, height, width] = maps.headers.get('X-Output-Shape')!.split(',').map(Number).slice(-3);
        expect([height, width]).toEqual([28, 28]);
        await expect(target.textContent('#digit-maps-caption')).resolves.toContain(`${channels} channels, 28 × 28`);
        const view = new DataView(maps.bytes.buffer, maps.bytes.byteOffset);
        const image = await target.$eval('#digit-maps', (img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight]);
        expect(image).toEqual([true, view.getUint32(16), view.getUint32(20)]);
        await expect(target.isVisible('#digit-maps')).resolves.toBe(true);

        // The 28×28 picture the network sees, as the API renders it for the same PNG.
        const seen = await call('/v1/models/digits/transform?layer=input', png, 'image/png');
        expect(seen.headers.get('X-Output-Shape')).toBe('1,1,28,28');
        const seenView = new DataView(seen.bytes.buffer, seen.bytes.byteOffset);
        const input = await target.$eval('#digit-input', (img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight]);
        expect(input).toEqual([true, seenView.getUint32(16), seenView.getUint32(20)]);
        await expect(target.isHidden('#digit-error')).resolves.toBe(true);
      }

      it('says what the model is', async () => {
        await page.waitForFunction(() => !document.querySelector('#digit-about')?.textContent?.startsWith('Loading'));
        const about = (await page.textContent('#digit-about')) ?? '';
        expect(about).toContain('The digits model');
        expect(about).toContain('28 × 28');
        await expect(page.isHidden('#digit-error')).resolves.toBe(true);
        expect(takeProblems()).toEqual([]);
      });

      it.each([
        { digit: '1', strokes: ONE, how: 'a vertical stroke' },
        { digit: '7', strokes: SEVEN, how: 'a horizontal then a diagonal stroke' },
        { digit: '0', strokes: ZERO, how: 'an ellipse of small moves' },
      ])('classifies a $digit drawn with the mouse as $how, with its probabilities and feature maps', async ({
        digit,
        strokes,
      }) => {
        await drawAndCheck(page, strokes, Number(digit));
        if (digit === '0') {
          await page.locator('#digit-title').scrollIntoViewIfNeeded();
          await page.screenshot({ path: path.join(ARTIFACTS, 'demo-digit.png'), fullPage: true });
        }
        expect(takeProblems()).toEqual([]);
      });

      it('sends the drawing while the pen is still down, at most every 300 ms', async () => {
        await page.click('#digit-clear');
        await page.locator('#digit-canvas').scrollIntoViewIfNeeded();
        const box = (await page.locator('#digit-canvas').boundingBox())!;
        const sent: number[] = [];
        const record = (request: import('playwright-core').Request) => {
          if (request.url().endsWith('/v1/models/digits/predict')) sent.push(Date.now());
        };
        page.on('request', record);
        try {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
          // The first answer while the pen is down (a 300 ms wait, then the request), long before the stroke ends.
          const answered = page.waitForResponse((r) => r.url().endsWith('/v1/models/digits/predict'));
          await page.mouse.down();
          const start = Date.now();
          for (let i = 1; i <= 20; i++) {
            await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.035 * i));
            await page.waitForTimeout(50);
          }
          const drawn = Date.now() - start;
          await answered;
          const whileDown = sent.length;
          expect(whileDown, `requests while drawing for ${drawn} ms`).toBeGreaterThanOrEqual(1);
          expect(whileDown).toBeLessThanOrEqual(Math.ceil(drawn / 300) + 1);
          await page.mouse.up();
          await page.waitForSelector('#digit-result[aria-busy="false"]', { state: 'attached' });
          expect(sent.length).toBeGreaterThan(whileDown); // lifting the pen sends the finished stroke
          await expect(page.textContent('#digit-label')).resolves.toBe('1');
        } finally {
          page.off('request', record);
        }
        expect(takeProblems()).toEqual([]);
      });

      it('clears the canvas and the answer', async () => {
        await drawAndCheck(page, SEVEN, 7);
        const before = await page.$eval('#digit-canvas', (canvas: HTMLCanvasElement) => canvas.toDataURL());
        await page.click('#digit-clear');
        await expect(page.textContent('#digit-label')).resolves.toBe('–');
        await expect(page.locator('#digit-bars li').count()).resolves.toBe(0);
        await expect(page.isHidden('#digit-maps')).resolves.toBe(true);
        await expect(page.isHidden('#digit-error')).resolves.toBe(true);
        const pixels = await page.$eval('#digit-canvas', (canvas: HTMLCanvasElement) => {
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          return new Set(new Uint32Array(data.buffer)).size;
        });
        expect(pixels, 'distinct colours on the cleared canvas').toBe(1);
        expect(await page.$eval('#digit-canvas', (canvas: HTMLCanvasElement) => canvas.toDataURL())).not.toBe(before);
        expect(takeProblems()).toEqual([]);
      });

      it("shows the API's message for a blank canvas, and recovers when a digit is drawn", async () => {
        await page.click('#digit-clear');
        const png = await settled(page, () => page.click('#digit-form button[type="submit"]'));
        const answer = await call('/v1/models/digits/predict', png, 'image/png');
        expect(answer.status).toBe(422);
        const { code, message } = answer.json().error;
        expect(message).toContain('blank');
        await expect(page.textContent('#digit-error')).resolves.toBe(`422 ${code}: ${message}`);
        await expect(page.textContent('#digit-label')).resolves.toBe('–');
        await expect(page.isHidden('#digit-maps')).resolves.toBe(true);
        await expect(page.isHidden('#digit-input')).resolves.toBe(true);
        // All three requests (predict, the input picture and the feature maps) are refused.
        expect(takeProblems()).toEqual([failedLoad(422), failedLoad(422), failedLoad(422)]);
        await page.screenshot({ path: path.join(ARTIFACTS, 'demo-digit-blank.png'), fullPage: true });

        await drawAndCheck(page, ONE, 1);
        expect(takeProblems()).toEqual([]);
      });

      it('draws with a finger on a phone in the dark colour scheme: light ink on dark, the page not scrolling', async () => {
        const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', hasTouch: true });
        try {
          const errors: string[] = [];
          await watch(phone, errors);
          await phone.goto(server.url);
          await phone.waitForFunction(() => !document.querySelector('#digit-about')?.textContent?.startsWith('Loading'));
          await phone.locator('#digit-canvas').scrollIntoViewIfNeeded();
          // Where the canvas is on the screen, not window.scrollY: parts of the page above it that finish loading
          // later change the scroll offset (the browser's scroll anchoring keeps the canvas in place), but a stroke
          // that scrolled the page would move the canvas under the finger.
          const onScreen = () => phone.$eval('#digit-canvas', (canvas) => canvas.getBoundingClientRect().top);
          const before = await onScreen();
          await drawAndCheck(phone, SEVEN, 7, touch);
          await drawAndCheck(phone, ZERO, 0, touch);
          await expect(onScreen()).resolves.toBe(before);
          // The paper is dark and the ink light here; the API takes either polarity.
          const [paper, ink] = await phone.$eval('#digit-canvas', (canvas: HTMLCanvasElement) => {
            const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
            const grey = (i: number) => (data[i] + data[i + 1] + data[i + 2]) / 3;
            let brightest = 0;
            for (let i = 0; i < data.length; i += 4) brightest = Math.max(brightest, grey(i));
            return [grey(0), brightest];
          });
          expect(paper).toBeLessThan(64);
          expect(ink).toBeGreaterThan(192);
          await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
          await phone.locator('#digit-title').scrollIntoViewIfNeeded();
          await phone.screenshot({ path: path.join(ARTIFACTS, 'demo-digit-phone-dark.png') });
          expect(errors).toEqual([]);
        } finally {
          await phone.close();
        }
      });
    });

    it('fits a phone screen in the dark colour scheme', async () => {
      await onPhone('demo-phone-dark.png', (phone) => phone.waitForSelector('#image-result[aria-busy="false"]'), { fullPage: true });
    });

    it('lists every route of the OpenAPI document on /api', async () => {
      const { paths } = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, object> };
      const routes = Object.entries(paths).flatMap(([route, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
      );
      expect(routes).toContain('POST /v1/image/conv2d');
      const api = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      try {
        const errors: string[] = [];
        await watch(api, errors);
        await api.goto(`${server.url}/api`);
        await api.waitForSelector('#routes[aria-busy="false"]');
        const shown = await api.locator('.route summary').evaluateAll((items) =>
          items.map((item) => `${item.querySelector('.method')?.textContent} ${item.querySelector('code')?.textContent}`),
        );
        expect(shown).toEqual(routes);
        await api.locator('.route summary', { hasText: '/v1/image/conv2d' }).click();
        await api.screenshot({ path: path.join(ARTIFACTS, 'api.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await api.close();
      }
    });

    // Last, as what it publishes is served from then on: every test above sees the built-in models.
    describe('with published versions', () => {
      /** Version 2 of phone-price says "very high cost" whatever the phone (its last bias for that class is huge). */
      const BIASED = 'very high cost';
      let versions: Page;
      /** When each version was published, by model, as GET /v1/models/{name} lists them. */
      const published: Record<string, string[]> = {};

      /**
       * Publishes the built-in bundle `name` as a new version with `metrics` over its own, through the admin route;
       * `bias` adds to one class's bias in the last layer (and the manifest's digest follows).
       */
      async function publish(name: string, activate: boolean, metrics: object = {}, bias?: { tensor: string; index: number; add: number }) {
        const dir = path.join(ROOT, 'worker/models', name);
        const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
        const weights = new Uint8Array(readFileSync(path.join(dir, 'model.safetensors')));
        if (bias) {
          const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
          const headerBytes = Number(view.getBigUint64(0, true));
          const header = JSON.parse(new TextDecoder().decode(weights.subarray(8, 8 + headerBytes)));
          const at = 8 + headerBytes + header[bias.tensor].data_offsets[0] + 4 * bias.index;
          view.setFloat32(at, view.getFloat32(at, true) + bias.add, true);
          manifest.weights.sha256 = createHash('sha256').update(weights).digest('hex');
        }
        Object.assign(manifest.metrics, metrics);
        const form = new FormData();
        form.append('model.json', new Blob([JSON.stringify(manifest)], { type: 'application/json' }), 'model.json');
        form.append('model.safetensors', new Blob([weights]), 'model.safetensors');
        const response = await fetch(`${server.url}/v1/models/${name}?activate=${activate}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${ADMIN}` },
          body: form,
        });
        expect(response.status, await response.clone().text()).toBe(201);
      }

      /** A version's option as the page should write it, the date in the browser's own format. */
      const option = async (version: number, date: string, accuracy: string, active = false) => {
        const day = await versions.evaluate((iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(iso)), date);
        return `version ${version}${active ? ' (active)' : ''} · published ${day} · ${accuracy} test accuracy`;
      };

      beforeAll(async () => {
        await publish('phone-price', true);
        await publish('phone-price', false, { test_accuracy: 0.25 }, { tensor: '2.bias', index: 3, add: 1000 });
        await publish('digits', true);
        await publish('digits', false, { test_accuracy: 0.5 });
        for (const name of ['phone-price', 'digits']) {
          const details = await (await fetch(`${server.url}/v1/models/${name}`)).json();
          expect(details.served).toEqual({ source: 'registry', version: 1 });
          published[name] = details.versions.map((version: { published: string }) => version.published);
        }
        versions = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await watch(versions, problems);
        await versions.goto(server.url);
        await versions.waitForSelector('#phone-result[aria-busy="false"]');
        // Each picker is filled when its model's details arrive, in no particular order: wait for both.
        await versions.waitForSelector('#phone-version:not([disabled])');
        await versions.waitForSelector('#digit-version:not([disabled])');
      }, 60_000);

      afterAll(() => versions?.close());

      it('lists every version, "active" first and chosen, with its published date and test accuracy', async () => {
        await expect(picker(versions, '#phone-version')).resolves.toEqual({
          options: [
            'active (version 1)',
            await option(1, published['phone-price'][0], '96.8%', true),
            await option(2, published['phone-price'][1], '25.0%'),
          ],
          value: '',
          disabled: false,
        });
        await expect(picker(versions, '#digit-version')).resolves.toEqual({
          options: [
            'active (version 1)',
            await option(1, published.digits[0], DIGITS_ACCURACY, true),
            await option(2, published.digits[1], '50.0%'),
          ],
          value: '',
          disabled: false,
        });
        await expect(versions.textContent('#phone-about')).resolves.toMatch(/^The phone-price model \(version 1\): .*97% right/);
        await expect(versions.textContent('#digit-about')).resolves.toMatch(new RegExp(`^The digits model \\(version 1\\), a small CNN, ${escaped(DIGITS_ACCURACY)} right`));
        expect(takeProblems()).toEqual([]);
      });

      it("calls a chosen version's pinned predict route and shows its answer and accuracy; \"active\" calls /predict again", async () => {
        for (const [feature, value] of Object.entries({ ram: '400', battery_power: '600', px_height: '300', px_width: '700' })) {
          await versions.fill(`[name="${feature}"]`, value);
        }
        const shown = async (route: string) => {
          const answer = await call(route, { instances: [await formInstance(versions)] });
          expect(answer.status).toBe(200);
          const expected: Prediction = answer.json().predictions[0];
          await expect(versions.textContent('#phone-label')).resolves.toBe(expected.label);
          await expect(versions.locator('#phone-bars .value').allTextContents()).resolves.toEqual(
            expected.probabilities.map((p) => `${(p * 100).toFixed(1)}%`),
          );
          return expected.label;
        };

        // Choosing a version predicts with it at once, and so does every submit until another is chosen.
        const choose = (version: string) => predictCalls(versions, '#phone-result', () => versions.selectOption('#phone-version', version));
        const submit = () => predictCalls(versions, '#phone-result', () => versions.click('#phone-form button[type="submit"]'));
        await expect(choose('2')).resolves.toEqual(['/v1/models/phone-price/versions/2/predict']);
        await expect(shown('/v1/models/phone-price/versions/2/predict')).resolves.toBe(BIASED);
        await expect(versions.textContent('#phone-about')).resolves.toMatch(/^The phone-price model \(version 2\): .*, 25% right/);
        await expect(submit()).resolves.toEqual(['/v1/models/phone-price/versions/2/predict']);
        await versions.locator('#phone-title').scrollIntoViewIfNeeded();
        await versions.screenshot({ path: path.join(ARTIFACTS, 'demo-versions.png') });

        await expect(choose('1')).resolves.toEqual(['/v1/models/phone-price/versions/1/predict']);
        const budget = await shown('/v1/models/phone-price/versions/1/predict');
        expect(budget).not.toBe(BIASED);
        await expect(versions.textContent('#phone-about')).resolves.toMatch(/^The phone-price model \(version 1\): .*, 97% right/);

        await choose('2');
        await expect(choose('')).resolves.toEqual(['/v1/models/phone-price/predict']);
        await expect(shown('/v1/models/phone-price/predict')).resolves.toBe(budget);
        await expect(submit()).resolves.toEqual(['/v1/models/phone-price/predict']);
        await expect(versions.textContent('#phone-about')).resolves.toMatch(/^The phone-price model \(version 1\): .*, 97% right/);
        expect(takeProblems()).toEqual([]);
      });

      it('sends the drawing on show to the version chosen, for its prediction and its feature maps', async () => {
        const canvas = versions.locator('#digit-canvas');
        await canvas.scrollIntoViewIfNeeded();
        const box = (await canvas.boundingBox())!;
        const drawOne = async () => {
          await versions.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
          await versions.mouse.down();
          await versions.mouse.move(box.x + box.width / 2, box.y + box.height * 0.85, { steps: 16 });
          await versions.mouse.up();
        };
        const drawn = await predictCalls(versions, '#digit-result', drawOne);
        expect(new Set(drawn)).toEqual(new Set(['/v1/models/digits/predict']));
        await expect(versions.textContent('#digit-label')).resolves.toBe('1');

        const choose = (version: string) => predictCalls(versions, '#digit-result', () => versions.selectOption('#digit-version', version));
        const transforms: string[] = [];
        const recordTransform = (request: Request) => {
          const { pathname, search } = new URL(request.url());
          if (pathname.endsWith('/transform')) transforms.push(pathname + search);
        };
        versions.on('request', recordTransform);
        await expect(choose('2')).resolves.toEqual(['/v1/models/digits/versions/2/predict']);
        versions.off('request', recordTransform);
        expect(transforms.sort()).toEqual(['/v1/models/digits/versions/2/transform', '/v1/models/digits/versions/2/transform?layer=input']);
        await expect(versions.textContent('#digit-label')).resolves.toBe('1');
        await expect(versions.textContent('#digit-about')).resolves.toMatch(/^The digits model \(version 2\), a small CNN, 50\.0% right/);
        await expect(versions.textContent('#digit-maps-caption')).resolves.toMatch(/^First-layer feature maps: \d+ channels/);

        await expect(choose('1')).resolves.toEqual(['/v1/models/digits/versions/1/predict']);
        await expect(versions.textContent('#digit-maps-caption')).resolves.toMatch(/^First-layer feature maps: \d+ channels/);
        await expect(choose('')).resolves.toEqual(['/v1/models/digits/predict']);
        await expect(versions.textContent('#digit-about')).resolves.toMatch(new RegExp(`^The digits model \\(version 1\\), a small CNN, ${escaped(DIGITS_ACCURACY)} right`));
        expect(takeProblems()).toEqual([]);
      });

      it('fits a phone screen with the versions listed', async () => {
        await onPhone('demo-versions-phone-dark.png', async (phone) => {
          await phone.selectOption('#phone-version', '2');
          await phone.waitForSelector('#phone-result[aria-busy="false"]');
        });
      });
    });

    /** The page shows the API's feature-map PNG (same size) for an output of `shape`, and says what it is. */
    async function expectMaps(shape: number[], png: Uint8Array) {
      const [channels, height, width] = shape.slice(-3);
      await expect(page.textContent('#output-shape')).resolves.toBe(`[${shape.join(', ')}]`);
      await expect(page.textContent('#output-caption')).resolves.toBe(
        `${channels} feature map${channels === 1 ? '' : 's'}, ${height} × ${width}`,
      );
      const view = new DataView(png.buffer, png.byteOffset);
      const shown = await page.$eval('#output-image', (img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight]);
      expect(shown).toEqual([true, view.getUint32(16), view.getUint32(20)]); // the PNG's IHDR width and height
    }
  },
);
