import { BundleError } from '../errors';

/**
 * Throws BundleError when parsed JSON `value` nests lists or objects more than `limit` levels deep, or is not a tree
 * (a list or object reached twice, which JSON text cannot make). The walk goes level by level, not by recursion, so
 * any depth is safe to check; after it, recursive code (JSON.stringify in messages and in the Worker's answers,
 * building the architecture) is safe too. `what` names the document ("manifest"), and the message its top-level field.
 */
export function checkNesting(value: unknown, limit: number, what: string): void {
  const seen = new Set<object>();
  let level: Node[] = isContainer(value) ? [{ value }] : [];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= limit) {
      const { field } = level[0];
      throw new BundleError(
        `${what}${field === undefined ? '' : ` field "${field}"`} nests lists or objects more than ${limit} levels deep`,
        { field, maxNesting: limit },
      );
    }
    const next: Node[] = [];
    for (const { value: container, field } of level) {
      if (seen.has(container)) throw new BundleError(`${what} is not a JSON tree: a list or object appears in it twice`);
      seen.add(container);
      const children = Array.isArray(container) ? container : Object.values(container);
      const keys = Array.isArray(container) ? undefined : Object.keys(container);
      children.forEach((child, i) => {
        if (isContainer(child)) next.push({ value: child, field: field ?? keys?.[i] ?? String(i) });
      });
    }
    level = next;
  }
}

/** A list or object met on the walk, with the top-level field it sits in. */
interface Node {
  value: object;
  field?: string;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
