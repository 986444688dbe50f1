import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { CacheSpec } from '../types.js';
import { checkKeys, stringList } from './shape.js';

const KEYS = ['key', 'untracked', 'paths', 'when', 'policy', 'unprotect', 'fallback_keys'];
const POLICIES = ['pull-push', 'push', 'pull'];
const WHEN = ['on_success', 'on_failure', 'always'];
/** GitLab allows at most four caches per job. */
const MAX_CACHES = 4;

function parseOne(value: unknown, path: string, problems: Problems): CacheSpec | null {
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash');
    return null;
  }
  checkKeys(value, KEYS, path, problems);
  let key: CacheSpec['key'] = 'default';
  if (value.key !== undefined) {
    if (typeof value.key === 'string' || typeof value.key === 'number') {
      key = String(value.key);
      if (key.includes('/') || key === '.' || key === '..' || key.toLowerCase().includes('%2f')) problems.error(`${path}:key`, 'config cannot contain the "/" character');
    } else if (isHash(value.key)) {
      checkKeys(value.key, ['files', 'prefix'], `${path}:key`, problems);
      const files = stringList(value.key.files, `${path}:key:files`, problems);
      if (files.length === 0 || files.length > 2) problems.error(`${path}:key:files`, 'config has too many items (maximum is 2)');
      key = { files, ...(value.key.prefix !== undefined ? { prefix: String(value.key.prefix) } : {}) };
    } else problems.error(`${path}:key`, 'config should be a hash, a string or a symbol');
  }
  const policy = value.policy === undefined ? 'pull-push' : String(value.policy);
  if (!POLICIES.includes(policy) && !policy.includes('$')) problems.error(`${path}:policy`, 'config should be one of: pull-push, push, pull');
  const when = value.when === undefined ? 'on_success' : String(value.when);
  if (!WHEN.includes(when)) problems.error(`${path}:when`, 'config should be one of: on_success, on_failure, always');
  return {
    key,
    paths: stringList(value.paths, `${path}:paths`, problems),
    policy: policy as CacheSpec['policy'],
    when: when as CacheSpec['when'],
    untracked: value.untracked === true,
    unprotect: value.unprotect === true,
    fallback_keys: stringList(value.fallback_keys, `${path}:fallback_keys`, problems),
  };
}

/** `cache:` — one hash or a list of up to four. */
export function parseCache(value: unknown, path: string, problems: Problems): CacheSpec[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_CACHES) problems.error(path, `config no more than ${MAX_CACHES} caches can be created`);
  return items.map((item) => parseOne(item, path, problems)).filter((c): c is CacheSpec => c !== null);
}
