// The Worker's bundle as `wrangler deploy` makes it (wrangler.toml: [alias], main), checked for what keeps it small
// without losing anything: the stubs of wrangler.toml's [alias] replace only the modules they are meant for, and
// worker/kernels.ts registers every tfjs kernel that the bundled code can run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRANGLER_ENV } from '../../scripts/wrangler.mjs';
import { repoRoot } from '../helpers/fixtures';

interface Metafile {
  inputs: Record<string, { imports: { path: string; original?: string }[] }>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Each stub of wrangler.toml's [alias] and the one module it stands in for. */
const STUBS: Record<string, string> = {
  'worker/stubs/zod-locales.ts': 'node_modules/zod/v4/locales/index.js',
  'worker/stubs/zod-compile.ts': 'node_modules/zod/v4/core/compile.js',
  'worker/stubs/zod-from-json-schema.ts': 'node_modules/zod/v4/classic/from-json-schema.js',
  'worker/stubs/tfjs-wasm-threaded.ts': 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  'worker/stubs/tfjs-wasm-threaded-worker.ts':
    'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
};

let out: string;
let meta: Metafile;
/** The modules that have code in the bundle (esbuild lists every module it read, tree-shaken or not). */
let bundled: string[];

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'edgeml-bundle-'));
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out, '--metafile', path.join(out, 'meta.json')],
    { cwd: repoRoot, env: { ...process.env, ...WRANGLER_ENV }, stdio: 'pipe' },
  );
  meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
  const [, output] = Object.entries(meta.outputs).find(([file]) => file.endsWith('index.js'))!;
  bundled = Object.entries(output.inputs)
    // Not esbuild's placeholders for what package.json's "browser" field disables ("(disabled):fs").
    .filter(([file, { bytesInOutput }]) => bytesInOutput > 0 && !file.includes(':'))
    .map(([file]) => file);
}, 120_000);

afterAll(() => {
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe("the Worker's bundle", () => {
  it("puts each [alias] stub in place of the module it stands for, and of no other module", () => {
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const [importer, { imports }] of Object.entries(meta.inputs)) {
      for (const { path: target, original } of imports) {
        if (!(target in STUBS)) continue;
        used.add(target);
        // wrangler's alias matches the specifier as written: resolve it where it was written.
        const meant = original === undefined ? undefined : path.posix.join(path.posix.dirname(importer), original);
        if (meant !== STUBS[target]) wrong.push(`${importer} imports ${original ?? target}, which became ${target}`);
      }
    }
    expect(wrong).toEqual([]);
    // A stub nobody imports means its alias no longer matches (a new version of the package): the module is back.
    expect([...used].sort()).toEqual(Object.keys(STUBS).sort());
    for (const replaced of Object.values(STUBS)) {
      expect(existsSync(path.join(repoRoot, replaced)), replaced).toBe(true);
      expect(bundled).not.toContain(replaced);
    }
  });

  it("gives each zod stub the exports of the module it replaces", async () => {
    const names = async (file: string) => Object.keys(await import(pathToFileURL(path.join(repoRoot, file)).href)).sort();
    for (const stub of ['worker/stubs/zod-compile.ts', 'worker/stubs/zod-from-json-schema.ts']) {
      expect(await names(stub), stub).toEqual(await names(STUBS[stub]));
    }
    // English, zod's default, is the only locale kept.
    expect(await names('worker/stubs/zod-locales.ts')).toEqual(['en']);
  });

  it('registers, for both backends, every tfjs kernel that the bundled code can run', () => {
    const kernelNames = readFileSync(path.join(repoRoot, 'node_modules/@tensorflow/tfjs-core/dist/kernel_names.js'), 'utf8');
    const byConstant = new Map([...kernelNames.matchAll(/export const (\w+) = '(\w+)'/g)].map((m) => [m[1], m[2]]));
    const all = new Set(byConstant.values());
    // What asks for each kernel: a tfjs-core module importing its name (an op), or a string naming it.
    const askedBy = new Map<string, string[]>();
    const ask = (kernel: string, file: string) => askedBy.set(kernel, [...(askedBy.get(kernel) ?? []), file]);
    for (const file of bundled) {
      // The kernels themselves (they call each other directly) and emscripten's glue (its C++ symbol names) ask nothing.
      if (!/\.[mc]?[jt]s$/.test(file) || /tfjs-backend-(cpu|wasm)\/dist\/kernels\/|\/wasm-out\/|kernel_names\.js$/.test(file)) continue;
      const source = readFileSync(path.join(repoRoot, file), 'utf8');
      for (const [, list] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(?:\.\.?\/)+kernel_names(?:\.js)?'/g)) {
        for (const constant of list.split(',').map((item) => item.trim().split(/\s+as\s+/)[0])) {
          const kernel = byConstant.get(constant);
          if (kernel !== undefined) ask(kernel, file);
        }
      }
      for (const [, literal] of source.matchAll(/['"`](\w+)['"`]/g)) if (all.has(literal)) ask(literal, file);
    }
    expect(askedBy.get('Conv2D')).toBeDefined(); // the scan sees tfjs-core's ops
    expect(askedBy.get('FusedConv2D')).toContain('sdk/functional/linear.ts'); // and the SDK's kernel('…') calls

    const registered = readFileSync(path.join(repoRoot, 'worker/kernels.ts'), 'utf8');
    const missing: string[] = [];
    for (const backend of ['cpu', 'wasm']) {
      const stock = readFileSync(path.join(repoRoot, `node_modules/@tensorflow/tfjs-backend-${backend}/dist/register_all_kernels.js`), 'utf8');
      const has = new Set([...stock.matchAll(/from '\.\/kernels\/(\w+)'/g)].map((m) => m[1]));
      const ours = new Set([...registered.matchAll(new RegExp(`'@tensorflow/tfjs-backend-${backend}/dist/kernels/(\\w+)'`, 'g'))].map((m) => m[1]));
      expect(ours.size).toBeGreaterThan(0);
      for (const [kernel, files] of askedBy) {
        if (has.has(kernel) && !ours.has(kernel)) missing.push(`${backend} ${kernel} (asked for by ${files.slice(0, 3).join(', ')})`);
      }
    }
    expect(missing, 'add these to worker/kernels.ts').toEqual([]);
    // Neither backend's entry that registers all its kernels is back in the bundle.
    expect(bundled.filter((file) => file.endsWith('register_all_kernels.js'))).toEqual([]);
  });
});
