/**
 * `size`: the Worker's upload as `wrangler deploy --dry-run --outdir` writes it, with wrangler's own total and a
 * gzip breakdown of its parts (gzip level 9 per file, so the parts add up to a little more than wrangler's figure,
 * which compresses them together).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, WRANGLER_ENV } from '../wrangler.mjs';

const PARTS: [string, RegExp][] = [
  ['JavaScript (Worker, SDK, tfjs, Hono, zod)', /^index\.js$/],
  ['JPEG decoder wasm (libjpeg, @jsquash/jpeg)', /mozjpeg.*\.wasm$/],
  ['tfjs wasm (SIMD)', /\.wasm$/],
  ['model weights', /\.safetensors$/],
  ['demo page (HTML, CSS, JS, sample PNG)', /\.(html|css|png|js)$/],
];

export async function run(): Promise<void> {
  const out = mkdtempSync(path.join(tmpdir(), 'edgeml-size-'));
  const said = execFileSync(process.execPath, [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    encoding: 'utf8',
  });
  const total = /Total Upload: (.*)/.exec(said)?.[1] ?? 'not reported';
  const files = readdirSync(out).filter((name) => !name.endsWith('.map') && name !== 'README.md');
  const sizes = new Map<string, { raw: number; gzip: number }>();
  for (const name of files) {
    const bytes = readFileSync(path.join(out, name));
    const part = PARTS.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other';
    const entry = sizes.get(part) ?? { raw: 0, gzip: 0 };
    entry.raw += bytes.length;
    entry.gzip += gzipSync(bytes, { level: 9 }).length;
    sizes.set(part, entry);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`\n### Upload size: wrangler deploy --dry-run says "Total Upload: ${total}"\n`);
  console.log('| part | raw | gzip |');
  console.log('|---|---:|---:|');
  for (const [part, { raw, gzip }] of sizes) console.log(`| ${part} | ${kib(raw)} | ${kib(gzip)} |`);
  const sum = [...sizes.values()].reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  console.log(`| sum of the parts | ${kib(sum.raw)} | ${kib(sum.gzip)} |`);
}
