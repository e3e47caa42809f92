// Builds the SDK's public entries into dist/: edgeml (index.js, for Node) and edgeml/serve (serve.js, any runtime) as
// ESM with their shared code in common chunks, so both see one copy of every class; tfjs and the other dependencies
// stay imports, so callers share one tfjs instance. Plus the type declarations tsc emits from sdk/, with their
// relative imports made full paths (below). `npm pack` runs this first (prepack), so a package always has dist/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { addJsExtensions } from './dts-paths.mjs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['sdk/index.ts', 'sdk/serve.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const rewritten = addJsExtensions('dist');
console.log(`built dist/index.js, dist/serve.js and their .d.ts (${rewritten} relative imports given .js paths)`);
