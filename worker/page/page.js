// @ts-check
// The demo page's script, served as /page.js (worker/routes/page.ts). Plain DOM and this Worker's own API only, so
// that it runs under the page's strict Content-Security-Policy.

const MODEL = 'phone-price';
const SAMPLE = '/sample.png';

/** Friendlier names for the phone-price features (Kaggle's schema); any other feature shows its own name. */
const FEATURE_NAMES = /** @type {Record<string, string>} */ ({
  battery_power: 'Battery (mAh)',
  blue: 'Bluetooth',
  clock_speed: 'Clock speed (GHz)',
  dual_sim: 'Dual SIM',
  fc: 'Front camera (MP)',
  four_g: '4G',
  int_memory: 'Storage (GB)',
  m_dep: 'Depth (cm)',
  mobile_wt: 'Weight (g)',
  n_cores: 'Cores',
  pc: 'Main camera (MP)',
  px_height: 'Pixels high',
  px_width: 'Pixels wide',
  ram: 'RAM (MB)',
  sc_h: 'Screen height (cm)',
  sc_w: 'Screen width (cm)',
  talk_time: 'Talk time (h)',
  three_g: '3G',
  touch_screen: 'Touch screen',
  wifi: 'Wi-Fi',
});

/**
 * @typedef {{ code: string, message: string, details?: Record<string, unknown> }} ApiErrorBody
 * @typedef {{ type: string, kernelSize?: number[], stride?: number[], padding?: number[], dilation?: number[],
 *   inChannels?: number, outChannels?: number }} Layer
 * @typedef {{ version: number, published: string, metrics: Record<string, unknown>, active: boolean }} Version
 *   A published version, as GET /v1/models/{name} lists it.
 * @typedef {{ name: string, task: string, labels: string[], metrics: Record<string, unknown>,
 *   preprocess: { features: string[], scaler: { mean: number[], std: number[] } | null },
 *   architecture: { layers?: Layer[] }, served: { source: string, version: number | null }, versions: Version[] }} Manifest
 *   GET /v1/models/{name}: the served version's manifest, what is served, and every published version.
 * @typedef {Manifest & { input?: { height?: number, width?: number } }} DigitManifest
 * @typedef {{ label: string, kernel: number[], stride: number[], padding: number[], dilation: number[] }} Step
 *   A conv or pool layer's settings, [height, width] each.
 */

/** An error answer of the API (`{"error": {"code", "message", "details"?}}`), or a failure to reach it. */
class ApiError extends Error {
  /** @param {number} status @param {ApiErrorBody} body */
  constructor(status, { code, message, details }) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

/**
 * @template {HTMLElement} T
 * @param {string} selector
 * @param {new () => T} type
 * @returns {T}
 */
function find(selector, type) {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} ${selector}`);
  return element;
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Partial<NoInfer<HTMLElementTagNameMap[K]>>} [properties]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  node.append(...children);
  return node;
}

/** fetch() for this Worker's API: the response when it is 2xx, else an ApiError with the API's own message. */
async function api(/** @type {string} */ path, /** @type {RequestInit} */ init = {}) {
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, { code: 'network_error', message: `the Worker did not answer (${error})` });
  }
  if (response.ok) return response;
  const body = await response.json().catch(() => null);
  const fallback = { code: `http_${response.status}`, message: `${response.status} ${response.statusText}` };
  throw new ApiError(response.status, body?.error?.message ? body.error : fallback);
}

/** @param {HTMLElement} box @param {unknown} error */
function showError(box, error) {
  if (!(error instanceof ApiError)) throw error;
  const where = error.status === 0 ? '' : `${error.status} `;
  box.replaceChildren(element('strong', {}, [`${where}${error.code}`]), `: ${error.message}`);
  box.hidden = false;
}

// ------------------------------------------------------------------------------------------------------- versions

const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A share as a percentage with `digits` decimals, or '' for anything that is not a number. @param {unknown} share */
const percent = (share, digits = 1) => (typeof share === 'number' ? `${(share * 100).toFixed(digits)}%` : '');

/**
 * Fills a model's version picker: "built-in" alone (nothing to choose) while no version is published; else
 * "active", which follows what /predict serves, then every published version with its date and test accuracy.
 * @param {HTMLSelectElement} select @param {Manifest} manifest
 */
function fillVersions(select, { served, versions }) {
  const options = versions.map(({ version, published, metrics, active }) => {
    const date = new Date(published);
    const accuracy = percent(metrics.test_accuracy);
    const text = [
      `version ${version}${active ? ' (active)' : ''}`,
      `published ${Number.isNaN(date.getTime()) ? published : DAY.format(date)}`,
      ...(accuracy ? [`${accuracy} test accuracy`] : []),
    ];
    return element('option', { value: String(version) }, [text.join(' · ')]);
  });
  const now = served.version === null ? 'built-in' : `version ${served.version}`;
  select.replaceChildren(element('option', { value: '' }, [options.length === 0 ? now : `active (${now})`]), ...options);
  select.disabled = options.length === 0;
}

/** The published version the picker pins, or null for the active one. @param {HTMLSelectElement} select */
const pinned = (select) => (select.value === '' ? null : Number(select.value));

/**
 * A model route (predict, transform) of the version the picker calls.
 * @param {string} model @param {HTMLSelectElement} select @param {'predict' | 'transform'} route
 */
function modelPath(model, select, route = 'predict') {
  const version = pinned(select);
  return version === null ? `/v1/models/${model}/${route}` : `/v1/models/${model}/versions/${version}/${route}`;
}

/**
 * The version the picker calls, as the page names it (' (version 2)', or '' for a built-in model), and its metrics.
 * @param {HTMLSelectElement} select @param {Manifest} manifest
 */
function chosenVersion(select, { served, versions, metrics }) {
  const version = pinned(select) ?? served.version;
  const record = versions.find((each) => each.version === pinned(select));
  return { which: version === null ? '' : ` (version ${version})`, metrics: record?.metrics ?? metrics };
}

// ---------------------------------------------------------------------------------------------------------- phone

const phoneForm = find('#phone-form', HTMLFormElement);
const phoneResult = find('#phone-result', HTMLElement);
const phoneError = find('#phone-error', HTMLElement);
const phoneVersion = find('#phone-version', HTMLSelectElement);

/**
 * Input settings from the training set's statistics: a feature whose spread is a 0/1 variable's (std = √(m(1−m)))
 * is a yes/no box; others start at the mean, with a step that fits their scale, and a ±3 std range.
 * @param {number} mean @param {number} std
 */
function inputFor(mean, std) {
  if (mean >= 0 && mean <= 1 && Math.abs(std - Math.sqrt(mean * (1 - mean))) < 0.02) {
    return element('input', { type: 'checkbox', defaultChecked: mean >= 0.5 });
  }
  const step = std < 1 ? 0.1 : 1;
  const round = (/** @type {number} */ value) => Number((Math.round(value / step) * step).toFixed(step < 1 ? 1 : 0));
  // A positive mean is a count or a size here, never below zero.
  const min = mean > 0 ? Math.max(0, round(mean - 3 * std)) : round(mean - 3 * std);
  return element('input', {
    type: 'number',
    inputMode: step < 1 ? 'decimal' : 'numeric',
    defaultValue: String(round(mean)),
    min: String(min),
    max: String(round(mean + 3 * std)),
    step: String(step),
  });
}

/** @param {Manifest} manifest */
function buildPhoneForm({ preprocess: { features, scaler } }) {
  const numbers = find('#phone-numbers', HTMLElement);
  const flags = find('#phone-flags', HTMLFieldSetElement);
  features.forEach((name, i) => {
    const input = scaler
      ? inputFor(scaler.mean[i], scaler.std[i])
      : element('input', { type: 'number', step: 'any', defaultValue: '0' });
    input.name = name;
    const title = FEATURE_NAMES[name] ?? name;
    if (input.type === 'checkbox') flags.append(element('label', {}, [input, title]));
    else numbers.append(element('label', { title: name }, [title, input]));
  });
  flags.hidden = flags.querySelector('input') === null;
}

/** What the model the picker calls is, with its test accuracy. @param {Manifest} manifest */
function describePhone(manifest) {
  const { features } = manifest.preprocess;
  const { labels } = manifest;
  const { which, metrics } = chosenVersion(phoneVersion, manifest);
  const accuracy = percent(metrics.test_accuracy, 0);
  const score = accuracy ? `, ${accuracy} right on held-out phones` : '';
  find('#phone-about', HTMLElement).textContent =
    `The ${MODEL} model${which}: ${features.length} features in, one of ${labels.length} price classes ` +
    `(${labels.join(', ')}) out${score}. Values start at the training set's averages.`;
}

/** The form as one instance keyed by feature name; an empty or unreadable number goes as null for the API to name. */
function phoneInstance() {
  /** @type {Record<string, number | null>} */
  const instance = {};
  for (const input of phoneForm.querySelectorAll('input')) {
    input.removeAttribute('aria-invalid');
    if (input.type === 'checkbox') instance[input.name] = Number(input.checked);
    else instance[input.name] = input.value === '' ? null : Number(input.value);
  }
  return instance;
}

/** @param {string[]} labels @param {{ label: string, probabilities: number[] }} prediction */
function showPrediction(labels, prediction) {
  showBars(find('#phone-label', HTMLElement), find('#phone-bars', HTMLElement), labels, prediction);
}

/**
 * The predicted label in `verdict` and one bar per class in `bars`, the most probable highlighted.
 * @param {HTMLElement} verdict @param {HTMLElement} bars @param {string[]} labels
 * @param {{ label: string, probabilities: number[] }} prediction
 */
function showBars(verdict, bars, labels, { label, probabilities }) {
  verdict.textContent = label;
  const best = Math.max(...probabilities);
  bars.replaceChildren(
    ...labels.map((name, i) => {
      const fill = element('span', { className: 'fill' });
      fill.style.width = `${(probabilities[i] * 100).toFixed(1)}%`;
      return element('li', { className: probabilities[i] === best ? 'best' : '' }, [
        element('span', { className: 'name' }, [name]),
        element('span', { className: 'track' }, [fill]),
        element('span', { className: 'value' }, [`${(probabilities[i] * 100).toFixed(1)}%`]),
      ]);
    }),
  );
}

/** Answers to all but the latest prediction are dropped. */
let latestPrediction = 0;

/** @param {string[]} labels */
async function predict(labels) {
  const request = ++latestPrediction;
  phoneResult.setAttribute('aria-busy', 'true');
  phoneError.hidden = true;
  try {
    const response = await api(modelPath(MODEL, phoneVersion), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instances: [phoneInstance()] }),
    });
    const { predictions } = await response.json();
    if (request !== latestPrediction) return;
    showPrediction(labels, predictions[0]);
    phoneResult.hidden = false;
  } catch (error) {
    if (request !== latestPrediction) return;
    phoneResult.hidden = true;
    showError(phoneError, error);
    const field = error instanceof ApiError ? error.details.field : undefined;
    const input = typeof field === 'string' ? phoneForm.elements.namedItem(field) : null;
    if (input instanceof HTMLInputElement) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  } finally {
    if (request === latestPrediction) phoneResult.setAttribute('aria-busy', 'false');
  }
}

async function startPhone() {
  try {
    /** @type {Manifest} */
    const manifest = await (await api(`/v1/models/${MODEL}`)).json();
    buildPhoneForm(manifest);
    fillVersions(phoneVersion, manifest);
    describePhone(manifest);
    phoneVersion.addEventListener('change', () => {
      describePhone(manifest);
      predict(manifest.labels);
    });
    phoneForm.addEventListener('submit', (event) => {
      event.preventDefault();
      predict(manifest.labels);
    });
    phoneForm.addEventListener('reset', () => setTimeout(() => predict(manifest.labels)));
    await predict(manifest.labels);
  } catch (error) {
    showError(phoneError, error);
    phoneResult.setAttribute('aria-busy', 'false');
  }
}

// --------------------------------------------------------------------------------------------------------- digits

const DIGITS = 'digits';
/** While drawing, the drawing is sent at most this often; lifting the pen sends it at once. */
const DRAW_INTERVAL_MS = 300;

const digitForm = find('#digit-form', HTMLFormElement);
const canvas = find('#digit-canvas', HTMLCanvasElement);
const digitResult = find('#digit-result', HTMLElement);
const digitError = find('#digit-error', HTMLElement);
const digitMaps = find('#digit-maps', HTMLImageElement);
const digitInput = find('#digit-input', HTMLImageElement);
const digitVersion = find('#digit-version', HTMLSelectElement);
const pen = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
/**
 * What is sent: the drawing scaled to 112 × 112, still five times the 20 × 20 that MNIST's preparation fits the
 * digit into, and a sixth of the canvas's pixels for the Worker to decode and prepare, three times an update.
 */
const sent = Object.assign(document.createElement('canvas'), { width: 112, height: 112 });
const sentPen = /** @type {CanvasRenderingContext2D} */ (sent.getContext('2d'));
sentPen.imageSmoothingQuality = 'high';

/** The strokes drawn, in canvas pixels: kept to paint them again when the colour scheme changes. */
const strokes = /** @type {{ x: number, y: number }[][]} */ ([]);
/** The stroke being drawn and the pointer drawing it, or null. */
let drawing = /** @type {{ pointer: number, points: { x: number, y: number }[] } | null} */ (null);
/** The classes' names (the manifest's labels); until the manifest is read, the digits. */
let digitLabels = Array.from({ length: 10 }, (_, i) => String(i));

/**
 * Sending: one request pair (predict and transform) at a time; `changed` says the canvas differs from what was last
 * sent, `timer` is the pending send while drawing. A Clear starts a new `generation`: answers from before it are dropped.
 */
const sending = { busy: false, changed: false, timer: /** @type {number | undefined} */ (undefined), generation: 0 };

/** The canvas's colours: the page's own (dark ink on light paper, or the reverse in the dark scheme; the API
 *  takes either). */
function colours() {
  const style = getComputedStyle(canvas);
  return { paper: style.getPropertyValue('--paper').trim() || '#fff', ink: style.getPropertyValue('--pen').trim() || '#000' };
}

/** Paints the paper, then every stroke. */
function paint() {
  const { paper, ink } = colours();
  pen.fillStyle = paper;
  pen.fillRect(0, 0, canvas.width, canvas.height);
  pen.strokeStyle = ink;
  pen.fillStyle = ink;
  pen.lineWidth = canvas.width / 14;
  pen.lineCap = 'round';
  pen.lineJoin = 'round';
  for (const points of strokes) paintStroke(points, 0);
}

/**
 * Paints `points` from index `from` on (a dot for a one-point stroke).
 * @param {{ x: number, y: number }[]} points @param {number} from
 */
function paintStroke(points, from) {
  if (points.length === 1) {
    pen.beginPath();
    pen.arc(points[0].x, points[0].y, pen.lineWidth / 2, 0, 2 * Math.PI);
    pen.fill();
    return;
  }
  pen.beginPath();
  pen.moveTo(points[Math.max(0, from - 1)].x, points[Math.max(0, from - 1)].y);
  for (const { x, y } of points.slice(Math.max(1, from))) pen.lineTo(x, y);
  pen.stroke();
}

/** The pointer's position in canvas pixels (the canvas may be shown smaller than its bitmap). @param {PointerEvent} event */
function canvasPoint(event) {
  const box = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - box.left) * canvas.width) / box.width,
    y: ((event.clientY - box.top) * canvas.height) / box.height,
  };
}

/** @param {PointerEvent} event */
function startStroke(event) {
  if (drawing !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  drawing = { pointer: event.pointerId, points: [canvasPoint(event)] };
  strokes.push(drawing.points);
  paintStroke(drawing.points, 0);
  scheduleSend(false);
}

/** @param {PointerEvent} event */
function extendStroke(event) {
  if (drawing === null || event.pointerId !== drawing.pointer) return;
  const from = drawing.points.length;
  // Every position the browser saw since the last event, for a smooth line under a fast hand.
  const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
  for (const each of events.length > 0 ? events : [event]) drawing.points.push(canvasPoint(each));
  paintStroke(drawing.points, from);
  scheduleSend(false);
}

/** @param {PointerEvent} event */
function endStroke(event) {
  if (drawing === null || event.pointerId !== drawing.pointer) return;
  drawing = null;
  scheduleSend(true);
}

/** Sends the canvas now, or within DRAW_INTERVAL_MS while drawing. @param {boolean} now */
function scheduleSend(now) {
  sending.changed = true;
  digitResult.setAttribute('aria-busy', 'true');
  if (now) {
    clearTimeout(sending.timer);
    sending.timer = undefined;
    send();
  } else if (sending.timer === undefined) {
    sending.timer = setTimeout(() => {
      sending.timer = undefined;
      send();
    }, DRAW_INTERVAL_MS);
  }
}

/** Sends the canvas as a PNG unless a request is on its way (its end sends again if the canvas changed since). */
async function send() {
  if (sending.busy || !sending.changed) return;
  sending.busy = true;
  sending.changed = false;
  const generation = sending.generation;
  try {
    sentPen.drawImage(canvas, 0, 0, sent.width, sent.height);
    const png = await new Promise((resolve) => sent.toBlob(resolve, 'image/png'));
    if (!(png instanceof Blob)) throw new ApiError(0, { code: 'canvas_error', message: 'the browser could not make a PNG of the canvas' });
    await classify(new Uint8Array(await png.arrayBuffer()), generation);
  } finally {
    sending.busy = false;
    if (sending.changed && sending.timer === undefined) send();
    else if (!sending.changed) digitResult.setAttribute('aria-busy', 'false');
  }
}

/**
 * The class and probabilities (predict), the 28×28 input the network sees (transform?layer=input) and the first
 * layer's feature maps (transform), of one PNG; shown unless a Clear came in between.
 * @param {Uint8Array<ArrayBuffer>} png the canvas's PNG file @param {number} generation
 */
async function classify(png, generation) {
  const post = (/** @type {string} */ path) =>
    api(path, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
  try {
    const [predicted, seen, transformed] = await Promise.all([
      post(modelPath(DIGITS, digitVersion)),
      post(`${modelPath(DIGITS, digitVersion, 'transform')}?layer=input`),
      post(modelPath(DIGITS, digitVersion, 'transform')),
    ]);
    const [{ predictions }, input, maps] = await Promise.all([predicted.json(), seen.blob(), transformed.blob()]);
    if (generation !== sending.generation) return;
    digitError.hidden = true;
    showBars(find('#digit-label', HTMLElement), find('#digit-bars', HTMLElement), digitLabels, predictions[0]);
    const shape = (transformed.headers.get('X-Output-Shape') ?? '').match(/\d+/g)?.map(Number) ?? [];
    const [channels, height, width] = shape.slice(-3);
    showBlob(digitInput, input);
    showBlob(digitMaps, maps);
    find('#digit-maps-caption', HTMLElement).textContent =
      `First-layer feature maps: ${channels} channels, ${height} × ${width}, of the digit as the network sees it ` +
      '(cropped, scaled and centred as MNIST\u2019s digits are)';
  } catch (error) {
    if (generation !== sending.generation) return;
    resetDigitResult();
    showError(digitError, error);
  }
}

function resetDigitResult() {
  find('#digit-label', HTMLElement).textContent = '–';
  find('#digit-bars', HTMLElement).replaceChildren();
  showBlob(digitInput, null);
  showBlob(digitMaps, null);
  find('#digit-maps-caption', HTMLElement).textContent = 'First-layer feature maps';
}

/** A blank canvas, no answer on show, and none of the requests on their way shown. */
function clearDigit() {
  strokes.length = 0;
  drawing = null;
  clearTimeout(sending.timer);
  sending.timer = undefined;
  sending.changed = false;
  sending.generation++;
  paint();
  resetDigitResult();
  digitError.hidden = true;
  if (!sending.busy) digitResult.setAttribute('aria-busy', 'false');
}

/** What the model the picker calls is, with its test accuracy. @param {DigitManifest} manifest */
function describeDigits(manifest) {
  const { which, metrics } = chosenVersion(digitVersion, manifest);
  const accuracy = percent(metrics.test_accuracy);
  const score = accuracy ? `, ${accuracy} right on held-out MNIST digits` : '';
  const size = manifest.input?.height ? ` a ${manifest.input.height} × ${manifest.input.width} picture` : '';
  find('#digit-about', HTMLElement).textContent =
    `The ${DIGITS} model${which}, a small CNN${score}. Draw with the mouse, a pen or a finger: as you draw, the ` +
    `Worker crops, scales and centres the drawing into${size} as MNIST's digits are, and classifies it.`;
}

async function startDigits() {
  paint();
  canvas.addEventListener('pointerdown', startStroke);
  canvas.addEventListener('pointermove', extendStroke);
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);
  find('#digit-clear', HTMLButtonElement).addEventListener('click', clearDigit);
  // Classify sends the canvas as it is, drawn or not: the API says what it makes of it.
  digitForm.addEventListener('submit', (event) => {
    event.preventDefault();
    scheduleSend(true);
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => paint());
  try {
    /** @type {DigitManifest} */
    const manifest = await (await api(`/v1/models/${DIGITS}`)).json();
    digitLabels = manifest.labels;
    fillVersions(digitVersion, manifest);
    describeDigits(manifest);
    digitVersion.addEventListener('change', () => {
      describeDigits(manifest);
      // The drawing on show goes to the version chosen; answers from the one before are dropped.
      sending.generation++;
      if (strokes.length > 0) scheduleSend(true);
    });
  } catch (error) {
    showError(digitError, error);
  }
}

// ---------------------------------------------------------------------------------------------------------- image

const imageForm = find('#image-form', HTMLFormElement);
const imageResult = find('#image-result', HTMLElement);
const imageError = find('#image-error', HTMLElement);
const inputImage = find('#input-image', HTMLImageElement);
const outputImage = find('#output-image', HTMLImageElement);

/** The image to transform, and its size when the browser can decode it (the API decides what is an image). */
let source = /** @type {{ blob: Blob, name: string, width?: number, height?: number } | null} */ (null);
/** The image-transform bundles served, by name (GET /v1/models). */
const bundles = /** @type {Map<string, Manifest>} */ (new Map());
/** Answers to all but the latest transform are dropped. */
let latestTransform = 0;

/** @param {HTMLImageElement} image @param {Blob | null} blob */
function showBlob(image, blob) {
  if (image.src) URL.revokeObjectURL(image.src);
  image.hidden = blob === null;
  if (blob === null) image.removeAttribute('src');
  else image.src = URL.createObjectURL(blob);
}

/** @param {Blob} blob @param {string} name */
async function useImage(blob, name) {
  const size = await createImageBitmap(blob).then(
    (bitmap) => {
      const { width, height } = bitmap;
      bitmap.close();
      return { width, height };
    },
    () => ({}),
  );
  source = { blob, name, ...size };
  showBlob(inputImage, 'width' in size ? blob : null);
  find('#input-caption', HTMLElement).textContent =
    'width' in size ? `${name}, ${size.width} × ${size.height}` : `${name} (the browser cannot show it as an image)`;
  await transform();
}

function transformName() {
  const checked = imageForm.querySelector('input[name="transform"]:checked');
  return checked instanceof HTMLInputElement ? checked.value : 'conv2d';
}

/** @param {string} name */
function setting(name) {
  const field = imageForm.elements.namedItem(name);
  if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) throw new Error(`no field ${name}`);
  return field.value;
}

/** @param {string} value */
const both = (value) => [Number(value), Number(value)];

/**
 * The request for the chosen transform, and the steps whose sizes the course's formula gives (the named kernels
 * are 3×3).
 * @returns {{ path: string, steps: Step[] }}
 */
function transformRequest() {
  const name = transformName();
  if (name === 'conv2d') {
    const boxes = /** @type {NodeListOf<HTMLInputElement>} */ (imageForm.querySelectorAll('input[name="kernel"]:checked'));
    const kernels = [...boxes].map((box) => box.value);
    const [stride, padding] = [setting('conv_stride'), setting('conv_padding')];
    const query = new URLSearchParams({ kernel: kernels.join(','), stride, padding });
    const step = { label: 'conv2d', kernel: [3, 3], stride: both(stride), padding: both(padding), dilation: [1, 1] };
    return { path: `/v1/image/conv2d?${query}`, steps: [step] };
  }
  if (name === 'pool') {
    const [mode, size] = [setting('mode'), setting('kernel_size')];
    const [stride, padding] = [setting('pool_stride'), setting('pool_padding')];
    const query = new URLSearchParams({ mode, kernel_size: size, stride, padding });
    const step = { label: `${mode} pool`, kernel: both(size), stride: both(stride), padding: both(padding), dilation: [1, 1] };
    return { path: `/v1/image/pool?${query}`, steps: [step] };
  }
  const model = name.slice('model:'.length);
  const steps = (bundles.get(model)?.architecture.layers ?? [])
    .filter((layer) => layer.kernelSize)
    .map(({ type, kernelSize = [1, 1], stride = kernelSize, padding = [0, 0], dilation = [1, 1] }) => ({
      label: type,
      kernel: kernelSize,
      stride,
      padding,
      dilation,
    }));
  return { path: `/v1/models/${encodeURIComponent(model)}/transform`, steps };
}

/** The course's O = ⌊(W + 2P − D(K − 1) − 1)/S⌋ + 1, with the numbers filled in, through every step. */
function formula(/** @type {Step[]} */ steps, /** @type {number} */ height, /** @type {number} */ width) {
  const lines = ['O = ⌊(W + 2P − D(K − 1) − 1)/S⌋ + 1'];
  const symmetric =
    height === width && steps.every(({ label, ...sizes }) => Object.values(sizes).every(([h, w]) => h === w));
  const sides = symmetric
    ? [{ side: 'H = W', axis: 0, size: height }]
    : [{ side: 'H', axis: 0, size: height }, { side: 'W', axis: 1, size: width }];
  for (let { side, axis, size } of sides) {
    for (const { label, kernel, stride, padding, dilation } of steps) {
      const [k, s, p, d] = [kernel[axis], stride[axis], padding[axis], dilation[axis]];
      const out = Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
      lines.push(`${side}, ${label}: ⌊(${size} + 2·${p} − ${d}·(${k} − 1) − 1)/${s}⌋ + 1 = ${out}`);
      size = out;
    }
  }
  return lines.join('\n');
}

async function transform() {
  if (source === null) return;
  const request = ++latestTransform;
  const { path, steps } = transformRequest();
  imageResult.setAttribute('aria-busy', 'true');
  imageError.hidden = true;
  try {
    const response = await api(path, {
      method: 'POST',
      headers: { 'Content-Type': source.blob.type || 'application/octet-stream' },
      body: source.blob,
    });
    const maps = await response.blob();
    if (request !== latestTransform) return;
    const shape = (response.headers.get('X-Output-Shape') ?? '').match(/\d+/g)?.map(Number) ?? [];
    const [channels, height, width] = shape.slice(-3);
    showBlob(outputImage, maps);
    find('#output-shape', HTMLElement).textContent = `[${shape.join(', ')}]`;
    const count = `${channels} feature map${channels === 1 ? '' : 's'}`;
    find('#output-caption', HTMLElement).textContent = `${count}, ${height} × ${width}`;
    find('#formula', HTMLElement).textContent = source.width ? formula(steps, source.height ?? 0, source.width) : '';
  } catch (error) {
    if (request !== latestTransform) return;
    showBlob(outputImage, null);
    find('#output-shape', HTMLElement).textContent = '–';
    find('#output-caption', HTMLElement).textContent = 'Feature maps';
    find('#formula', HTMLElement).textContent = '';
    showError(imageError, error);
  } finally {
    if (request === latestTransform) imageResult.setAttribute('aria-busy', 'false');
  }
}

function showTransformFields() {
  const name = transformName();
  for (const group of imageForm.querySelectorAll('[data-transform]')) {
    if (!(group instanceof HTMLElement)) continue;
    group.hidden = group.dataset.transform !== (name.startsWith('model:') ? 'model' : name);
  }
  const bundle = bundles.get(name.slice('model:'.length));
  if (bundle) {
    const layers = (bundle.architecture.layers ?? []).map(describeLayer).join(' → ');
    find('#bundle-about', HTMLElement).textContent = `The exported ${bundle.name} bundle: ${layers}.`;
  }
}

/** A layer as PyTorch prints it, e.g. Conv2d(3, 4, 3, stride=2). @param {Layer} layer */
function describeLayer({ type, inChannels, outChannels, kernelSize, stride }) {
  const settings = [inChannels, outChannels].filter((v) => v !== undefined).map(String);
  if (kernelSize) settings.push(sizeText(kernelSize));
  if (stride && kernelSize && sizeText(stride) !== sizeText(kernelSize)) settings.push(`stride=${sizeText(stride)}`);
  return `${type}(${settings.join(', ')})`;
}

/** @param {number[]} pair */
const sizeText = (pair) => (pair[0] === pair[1] ? String(pair[0]) : `(${pair.join(', ')})`);

async function startImage() {
  const { models } = await (await api('/v1/models')).json();
  const transforms = find('#transforms', HTMLFieldSetElement);
  for (const { name, task } of /** @type {{ name: string, task: string }[]} */ (models)) {
    if (task !== 'image-transform') continue;
    bundles.set(name, await (await api(`/v1/models/${encodeURIComponent(name)}`)).json());
    const radio = element('input', { type: 'radio', name: 'transform', value: `model:${name}` });
    transforms.insertBefore(element('label', {}, [radio, ` ${name} bundle`]), transforms.children[1]);
  }
  imageForm.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === 'file') return;
    showTransformFields();
    transform();
  });
  imageForm.addEventListener('submit', (event) => {
    event.preventDefault();
    transform();
  });
  find('#image-file', HTMLInputElement).addEventListener('change', ({ target }) => {
    const file = target instanceof HTMLInputElement ? target.files?.[0] : undefined;
    if (file) useImage(file, file.name);
  });
  find('#use-sample', HTMLButtonElement).addEventListener('click', () => useSample());
  showTransformFields();
  await useSample();
}

async function useSample() {
  find('#image-file', HTMLInputElement).value = '';
  const response = await api(SAMPLE);
  await useImage(await response.blob(), 'sample.png');
}

async function startHealth() {
  const status = find('#health', HTMLElement);
  try {
    const { backend, models } = await (await api('/healthz')).json();
    status.textContent = `Up · tfjs ${backend} backend · models: ${models.join(', ')}`;
  } catch (error) {
    status.textContent = `Down: ${error instanceof Error ? error.message : error}`;
    status.classList.add('down');
  }
}

startHealth();
startPhone();
startDigits();
startImage().catch((error) => {
  showError(imageError, error);
  imageResult.setAttribute('aria-busy', 'false');
});
