import { deepMerge, isHash, type Hash } from './deep-merge.js';
import type { Problems } from './problems.js';

/** GitLab refuses an entry reached through more than 10 `extends` ancestors. */
const MAX_NESTING_LEVELS = 10;

class ExtensionError extends Error {}

/** `extends:` names, as GitLab reads them: `Array(value).map(&:to_s)`. */
function parentsOf(entry: Hash): string[] {
  const value = entry.extends;
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/**
 * Resolves `extends:` as GitLab's Config::Extendable does: every top-level hash with `extends` in file
 * order, parents merged first (later parents win, each fully extended itself), then the entry's own
 * keys on top; hashes merge deeply, anything else (arrays too) is replaced. The `extends` key stays.
 * The first problem is raised: unknown parent, parent not a hash, nesting too deep, then a cycle.
 */
export function resolveExtends(config: Hash, problems: Problems): Hash {
  const out: Hash = { ...config };
  // Depth at which an entry was already extended without error; entering it at that depth or less
  // cannot fail either (a cycle below it would have been found), so its subtree is not walked again.
  const cleanAt = new Map<string, number>();

  function extend(key: string, ancestors: string[]): Hash {
    const entry = out[key] as Hash;
    if (!isHash(entry) || !('extends' in entry)) return entry;
    const parents = parentsOf(entry);
    if ((cleanAt.get(key) ?? -1) >= ancestors.length && !ancestors.includes(key)) return entry;
    const unknown = parents.filter((p) => !(p in out));
    if (unknown.length > 0) throw new ExtensionError(`${key}: unknown keys in \`extends\` (${unknown.join(', ')})`);
    const invalid = parents.filter((p) => !isHash(out[p]));
    if (invalid.length > 0) throw new ExtensionError(`${key}: invalid base hashes in \`extends\` (${invalid.join(', ')})`);
    if (ancestors.length > MAX_NESTING_LEVELS) throw new ExtensionError(`${key}: nesting too deep in \`extends\``);
    if (ancestors.includes(key)) throw new ExtensionError(`${key}: circular dependency detected in \`extends\``);
    let merged: Hash = {};
    for (const parent of parents) merged = deepMerge(merged, extend(parent, [...ancestors, key]));
    // GitLab stores the result back, so later entries extending this one see it extended.
    out[key] = deepMerge(merged, entry);
    cleanAt.set(key, Math.max(cleanAt.get(key) ?? -1, ancestors.length));
    return out[key] as Hash;
  }

  try {
    for (const key of Object.keys(out)) extend(key, []);
  } catch (error) {
    if (!(error instanceof ExtensionError)) throw error;
    problems.plain(error.message);
    return config;
  }
  return out;
}
