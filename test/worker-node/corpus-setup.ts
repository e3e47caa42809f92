// Part of the worker project's globalSetup (called from parity-setup.ts), in Node: hands the bad-input corpus and the
// property-run count to the hardening tests in workerd, which cannot read files (see corpus-context.ts for the
// shapes). The image fixtures come from image-parity-setup.ts ('imageParity').
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { BadCorpus } from './corpus-context';

const CORPUS = 'test/fixtures/bad';
/** The same default as test/helpers/properties.ts (the Node property tests). */
const DEFAULT_RUNS = 200;

export function provideCorpus(project: TestProject): void {
  const root = project.config.root;
  const corpus = path.join(root, CORPUS);
  const badCorpus: BadCorpus = {
    cases: JSON.parse(readFileSync(path.join(corpus, 'cases.json'), 'utf8')).cases,
    files: filesOf(corpus),
  };
  project.provide('badCorpus', badCorpus);
  project.provide('propertyRuns', Number(process.env.EDGEML_PROPERTY_RUNS ?? DEFAULT_RUNS));
}

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name)).toString('base64')]));
}
