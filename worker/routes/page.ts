import { Hono } from 'hono';
import type { AppEnv } from '../bindings';
import apiHtml from '../page/api.html';
import apiScript from '../page/api.js';
import html from '../page/index.html';
import css from '../page/page.css';
import script from '../page/page.js';
import sample from '../../data/sample.png';

/** The page loads nothing but this Worker's own files and API: no inline code, no other origin, no framing. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: readonly [path: string, body: string | ArrayBuffer, type: string][] = [
  ['/', html, 'text/html; charset=utf-8'],
  ['/page.css', css, 'text/css; charset=utf-8'],
  ['/page.js', script, 'text/javascript; charset=utf-8'],
  ['/api', apiHtml, 'text/html; charset=utf-8'],
  ['/api.js', apiScript, 'text/javascript; charset=utf-8'],
  ['/sample.png', sample, 'image/png'],
];

/** GET / (the demo page), GET /api (the routes, from /openapi.json) and their files, bundled into the Worker by
 *  wrangler.toml's Text and Data rules. */
export function pageRoutes() {
  const routes = new Hono<AppEnv>();
  for (const [path, body, type] of FILES) {
    routes.get(path, (c) =>
      c.body(body, 200, {
        'Content-Type': type,
        'Content-Security-Policy': PAGE_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        // Revalidate: a deploy changes the page and its script together.
        'Cache-Control': 'no-cache',
      }),
    );
  }
  return routes;
}
