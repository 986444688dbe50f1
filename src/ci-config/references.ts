import { isHash, setKey, type Hash } from './deep-merge.js';
import type { Problems } from './problems.js';
import { Reference } from './yaml-loader.js';

/**
 * Keywords whose value GitLab flattens (Commands, Rules, Needs, Stages), so a `!reference` to a list
 * inside their list is spliced in. Elsewhere the list stays nested, and the keyword rejects it as GitLab does.
 */
const FLATTENED = new Set(['script', 'before_script', 'after_script', 'pre_get_sources_script', 'rules', 'needs', 'stages']);

class TagError extends Error {}

/** Ruby's `Array#inspect` of the path, as GitLab prints it: `[".setup", "script"]`. */
function inspect(path: string[]): string {
  return `[${path.map((p) => JSON.stringify(p)).join(', ')}]`;
}

/**
 * Replaces every `!reference [a, b, c]` with the value at that path of the config (after includes and
 * `extends`), as Config::Yaml::Tags::Resolver does: nested references resolved first, a missing, nil or
 * false target "could not be found", a loop "is part of a circular chain". The first problem is raised.
 */
export function resolveReferences(config: Hash, problems: Problems): Hash {
  const resolving: Reference[] = [];
  const done = new Map<Reference, unknown>();

  function lookup(ref: Reference): unknown {
    if (!ref.valid) throw new TagError(`!reference ${ref.shown} is not valid`);
    if (resolving.includes(ref)) throw new TagError(`!reference ${inspect(ref.path)} is part of a circular chain`);
    if (done.has(ref)) return done.get(ref);
    let target: unknown = config;
    for (const part of ref.path) {
      if (!isHash(target) || !(part in target)) throw new TagError(`!reference ${inspect(ref.path)} could not be found`);
      target = target[part];
    }
    resolving.push(ref);
    const value = walk(target, ref.path[ref.path.length - 1]);
    resolving.pop();
    if (value === null || value === undefined || value === false) throw new TagError(`!reference ${inspect(ref.path)} could not be found`);
    done.set(ref, value);
    return value;
  }

  /** Returns `value` itself when nothing under it changed, so a config without references is not copied. */
  function walk(value: unknown, key: string): unknown {
    if (value instanceof Reference) return lookup(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      let changed = false;
      for (const item of value) {
        const resolved = walk(item, key);
        changed ||= resolved !== item;
        if (item instanceof Reference && Array.isArray(resolved) && FLATTENED.has(key)) out.push(...resolved);
        else out.push(resolved);
      }
      return changed ? out : value;
    }
    if (isHash(value)) {
      const out: Hash = {};
      let changed = false;
      for (const [k, v] of Object.entries(value)) {
        const resolved = walk(v, k);
        changed ||= resolved !== v;
        setKey(out, k, resolved);
      }
      return changed ? out : value;
    }
    return value;
  }

  try {
    return walk(config, '') as Hash;
  } catch (error) {
    if (!(error instanceof TagError)) throw error;
    problems.plain(error.message);
    return config;
  }
}
