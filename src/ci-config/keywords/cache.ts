import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { CacheSpec } from '../types.js';
import { checkKeys } from './shape.js';

const KEYS = ['key', 'untracked', 'paths', 'when', 'policy', 'unprotect', 'fallback_keys'];
/** Entry::Cache::ALLOWED_POLICY — unanchored, as GitLab has it, so any text containing "pull" or "push" passes. */
const ALLOWED_POLICY = /pull-push|push|pull|\$\w{1,255}/;
const WHEN = ['on_success', 'on_failure', 'always'];
/** GitLab allows at most four caches per job (ci_max_caches_per_job). */
const MAX_CACHES = 4;

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Entry::Key: a string (no "/", not "." or "..") or `{files: [1..2 paths], prefix}`. */
function parseKey(value: unknown, path: string, problems: Problems): CacheSpec['key'] {
  if (value === undefined || value === null) return 'default';
  if (typeof value === 'string') {
    let unescaped = value;
    try {
      unescaped = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      // CGI.unescape leaves malformed escapes as they are.
    }
    if (unescaped.includes('/')) problems.error(path, 'config cannot contain the "/" character');
    else if (unescaped === '.' || unescaped === '..') problems.error(path, 'config cannot be "." or ".."');
    return value;
  }
  if (!isHash(value)) {
    problems.error(path, 'should be a hash, a string or a symbol');
    return 'default';
  }
  checkKeys(value, ['files', 'prefix'], path, problems);
  if (value.files === undefined) problems.error(path, 'config missing required keys: files');
  const files = isStrings(value.files) ? value.files : [];
  if (value.files !== undefined && !isStrings(value.files)) problems.error(`${path}:files`, 'config should be an array of strings');
  else if (value.files !== undefined && files.length < 1) problems.error(`${path}:files`, 'config requires at least 1 item');
  else if (files.length > 2) problems.error(`${path}:files`, 'config has too many items (maximum is 2)');
  if (value.prefix !== undefined && typeof value.prefix !== 'string') problems.error(`${path}:prefix`, 'config should be a string or symbol');
  return { files, ...(typeof value.prefix === 'string' ? { prefix: value.prefix } : {}) };
}

/** One Entry::Cache: its own attribute errors read "jobs:x:cache policy ...", its entries' "jobs:x:cache:key ...". */
function parseOne(value: unknown, path: string, problems: Problems): CacheSpec | null {
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash');
    return null;
  }
  checkKeys(value, KEYS, path, problems);
  const policy = value.policy === undefined || value.policy === null || value.policy === '' ? 'pull-push' : value.policy;
  if (typeof policy !== 'string') problems.error(`${path} policy`, 'should be a string');
  if (!ALLOWED_POLICY.test(String(policy))) problems.error(`${path} policy`, 'should be a variable or one of: pull-push, push, pull');
  const when = value.when ?? 'on_success';
  if (typeof when !== 'string') problems.error(`${path} when`, 'should be a string');
  if (!WHEN.includes(when as string)) problems.error(`${path} when`, `should be one of: ${WHEN.join(', ')}`);
  if (Array.isArray(value.fallback_keys) && value.fallback_keys.length > 5) problems.error(`${path} fallback keys`, 'has to many entries (maximum 5)');
  const key = parseKey(value.key, `${path}:key`, problems);
  const flag = (name: string): boolean => {
    const v = value[name];
    if (v !== undefined && v !== null && typeof v !== 'boolean') problems.error(`${path}:${name}`, 'config should be a boolean value');
    return v === true;
  };
  const unprotect = flag('unprotect');
  const untracked = flag('untracked');
  const list = (name: string): string[] => {
    const v = value[name];
    if (v === undefined || v === null) return [];
    if (!isStrings(v)) problems.error(`${path}:${name}`, 'config should be an array of strings');
    return isStrings(v) ? v : [];
  };
  const paths = list('paths');
  const fallback_keys = list('fallback_keys');
  return { key, paths, policy: policy as CacheSpec['policy'], when: when as CacheSpec['when'], untracked, unprotect, fallback_keys };
}

/**
 * `cache:` — one hash or a list of up to four. The list is Entry::Caches, which drops its key
 * (`@key = nil`), so its own errors are located by class name: "jobs:x:caches config ...".
 */
export function parseCache(value: unknown, path: string, problems: Problems): CacheSpec[] {
  if (value === undefined || value === null) return [];
  const cachesPath = path.replace(/cache$/, 'caches');
  if (!isHash(value) && !Array.isArray(value)) {
    problems.error(cachesPath, 'config can only be a hash or an array');
    return [];
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_CACHES) {
    problems.error(cachesPath, `config no more than ${MAX_CACHES} caches can be created`);
    return [];
  }
  return items.map((item) => parseOne(item, path, problems)).filter((c): c is CacheSpec => c !== null);
}
