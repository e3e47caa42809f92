/**
 * Stands in for zod's `v4/classic/from-json-schema.js` (`z.fromJSONSchema`, ~12 KiB) in the Worker's bundle
 * (wrangler.toml [alias]): the Worker builds its schemas in code and never converts JSON Schema back into zod.
 */
export function fromJSONSchema(): never {
  throw new Error('z.fromJSONSchema is not part of the edgeml Worker bundle (see wrangler.toml [alias])');
}
