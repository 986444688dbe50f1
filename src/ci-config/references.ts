import { isHash, type Hash } from './deep-merge.js';
import type { Problems } from './problems.js';
import { Reference } from './yaml-loader.js';

/** Deeper chains than this can only be loops or abuse. */
const MAX_REFERENCE_DEPTH = 10;

/** Ruby's `Array#inspect` of the path, as GitLab prints it: `[".setup", "script"]`. */
function inspect(path: string[]): string {
  return `[${path.map((p) => JSON.stringify(p)).join(', ')}]`;
}

/**
 * Replaces every `!reference [a, b, c]` with the value at that path of the (included-merged) config.
 * A referenced array inside an array is spliced in, as GitLab flattens scripts built from references.
 */
export function resolveReferences(config: Hash, problems: Problems): Hash {
  const resolving: string[] = [];
  function lookup(ref: Reference, depth: number): unknown {
    const key = JSON.stringify(ref.path);
    if (resolving.includes(key) || depth > MAX_REFERENCE_DEPTH) {
      problems.plain(`!reference ${inspect(ref.path)} is part of a circular chain`);
      return undefined;
    }
    let current: unknown = config;
    for (const part of ref.path) {
      if (!isHash(current) || current[part] === undefined || current[part] === null || current[part] === false) {
        problems.plain(`!reference ${inspect(ref.path)} could not be found`);
        return undefined;
      }
      current = current[part];
    }
    resolving.push(key);
    try {
      return walk(current, depth + 1);
    } finally {
      resolving.pop();
    }
  }

  function walk(value: unknown, depth: number): unknown {
    if (value instanceof Reference) return lookup(value, depth);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        const resolved = walk(item, depth);
        if (item instanceof Reference && Array.isArray(resolved)) out.push(...resolved);
        else out.push(resolved);
      }
      return out;
    }
    if (isHash(value)) {
      const out: Hash = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, depth);
      return out;
    }
    return value;
  }

  return walk(config, 0) as Hash;
}
