import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * sdk/ imports `./module`, which TypeScript resolves only under "moduleResolution": "bundler". A consumer under
 * node16 or nodenext reads dist/ as ESM (package.json "type": "module"), where a relative import needs its full path:
 * `./module` is TS2834 there, and with skipLibCheck every edgeml type silently becomes `any`. So each relative
 * specifier in the emitted .d.ts becomes the path Node would load: `./module.js`, or `./nn/index.js` for a folder.
 */
export function addJsExtensions(root) {
  let count = 0;
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8').replace(/(\bfrom\s*|\bimport\s*\(\s*|^import\s+)(['"])(\.\.?\/[^'"]*|\.\.?)\2/gm, (_, lead, quote, spec) => {
      count++;
      return `${lead}${quote}${declarationPath(dirname(path), spec, path)}${quote}`;
    });
    writeFileSync(path, text);
  }
  return count;
}

function declarationPath(folder, spec, from) {
  if (spec.endsWith('.js')) return spec;
  if (existsSync(join(folder, `${spec}.d.ts`))) return `${spec}.js`;
  if (existsSync(join(folder, spec, 'index.d.ts'))) return `${spec.replace(/\/$/, '')}/index.js`;
  throw new Error(`${from}: cannot resolve "${spec}" to a declaration file`);
}
