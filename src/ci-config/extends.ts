import { deepMerge, isHash, type Hash } from './deep-merge.js';
import type { Problems } from './problems.js';

/** GitLab refuses chains of more than 10 ancestors. */
const MAX_NESTING = 10;

/**
 * Resolves `extends:` for every entry of the config: parents first (several parents merge in order,
 * later ones winning), then the job's own keys on top; hashes merge deeply and arrays are replaced.
 */
export function resolveExtends(config: Hash, problems: Problems): Hash {
  const resolved = new Map<string, Hash>();
  const failed = new Set<string>();

  function resolve(key: string, chain: string[]): Hash | null {
    const done = resolved.get(key);
    if (done) return done;
    if (failed.has(key)) return null;
    const entry = config[key];
    if (!isHash(entry)) return null;
    if (entry.extends === undefined) {
      resolved.set(key, entry);
      return entry;
    }
    if (chain.includes(key)) {
      problems.plain(`${key}: circular dependency detected in \`extends\``);
      failed.add(key);
      return null;
    }
    if (chain.length > MAX_NESTING) {
      problems.plain(`${key}: nesting too deep in \`extends\``);
      failed.add(key);
      return null;
    }
    const parents = typeof entry.extends === 'string' ? [entry.extends] : entry.extends;
    if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string')) {
      problems.error(`jobs:${key} extends`, 'should be an array of strings or a string');
      failed.add(key);
      return null;
    }
    const unknown = (parents as string[]).filter((p) => !(p in config));
    if (unknown.length > 0) {
      problems.plain(`${key}: unknown keys in \`extends\` (${unknown.join(', ')})`);
      failed.add(key);
      return null;
    }
    const invalid = (parents as string[]).filter((p) => !isHash(config[p]));
    if (invalid.length > 0) {
      problems.plain(`${key}: invalid base hashes in \`extends\` (${invalid.join(', ')})`);
      failed.add(key);
      return null;
    }
    let base: Hash = {};
    for (const parent of parents as string[]) {
      const parentResolved = resolve(parent, [...chain, key]);
      if (!parentResolved) {
        failed.add(key);
        return null;
      }
      base = deepMerge(base, parentResolved);
    }
    const { extends: _extends, ...own } = entry;
    void _extends;
    const merged = deepMerge(base, own);
    resolved.set(key, merged);
    return merged;
  }

  const out: Hash = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = isHash(value) && value.extends !== undefined ? (resolve(key, []) ?? value) : value;
  }
  return out;
}
