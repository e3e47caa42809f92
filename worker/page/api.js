// @ts-check
// The API page's script, served as /api.js (worker/routes/page.ts): the routes of this Worker's OpenAPI document.

/**
 * @typedef {{ name: string, in: string, required?: boolean, description?: string }} Parameter
 * @typedef {{ summary?: string, description?: string, parameters?: Parameter[],
 *   requestBody?: { content: Record<string, unknown> }, responses: Record<string, { description: string }> }} Operation
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {(Node | string)[]} [children]
 * @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
function element(tag, children = [], className = '') {
  const node = document.createElement(tag);
  node.className = className;
  node.append(...children);
  return node;
}

/** @param {string} method @param {string} path @param {Operation} operation */
function route(method, path, { summary = '', description, parameters = [], requestBody, responses }) {
  const title = [element('span', [method.toUpperCase()], 'method'), ' ', element('code', [path]), ' ', element('span', [summary], 'what')];
  const details = element('details', [element('summary', title)], 'route');
  if (description) details.append(element('p', [description]));
  if (parameters.length > 0) {
    details.append(
      element('h3', ['Parameters']),
      list(parameters.map((p) => [p.name, `(${p.in}${p.required ? ', required' : ''}) ${p.description ?? ''}`])),
    );
  }
  if (requestBody) details.append(element('h3', ['Body']), element('p', [Object.keys(requestBody.content).join(', ')]));
  details.append(
    element('h3', ['Answers']),
    list(Object.entries(responses).map(([status, { description }]) => [status, description])),
  );
  return details;
}

/** A list of `name` explanation items. @param {[name: string, text: string][]} items */
function list(items) {
  return element('ul', items.map(([name, text]) => element('li', [element('code', [name]), ` ${text}`])));
}

const routes = /** @type {HTMLElement} */ (document.querySelector('#routes'));
try {
  const response = await fetch('/openapi.json');
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  /** @type {{ paths: Record<string, Record<string, Operation>> }} */
  const { paths } = await response.json();
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => route(method, path, operation)),
  );
  routes.replaceChildren(...operations);
} catch (error) {
  routes.replaceChildren(element('p', [String(error)], 'error'));
}
routes.setAttribute('aria-busy', 'false');
