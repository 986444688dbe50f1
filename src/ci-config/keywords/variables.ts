import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { YamlVariable } from '../types.js';

const VARIABLE_KEYS = ['value', 'description', 'expand', 'options'];

/**
 * `variables:` — `KEY: value` or `KEY: {value, description, expand}`. Values are strings or numbers;
 * GitLab's message for anything else is "config should be a hash of key value pairs, value can be a hash".
 */
export function parseVariables(value: unknown, path: string, problems: Problems, allowDetails = true): YamlVariable[] {
  if (value === undefined || value === null) return [];
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash of key value pairs, value can be a hash');
    return [];
  }
  const out: YamlVariable[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      out.push({ key, value: String(raw), expand: true });
      continue;
    }
    if (allowDetails && isHash(raw) && Object.keys(raw).every((k) => VARIABLE_KEYS.includes(k))) {
      const v = raw.value;
      const ok = (v === undefined || typeof v === 'string' || typeof v === 'number') && (raw.expand === undefined || typeof raw.expand === 'boolean');
      if (ok) {
        out.push({
          key,
          value: v === undefined ? '' : String(v),
          ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
          expand: raw.expand !== false,
        });
        continue;
      }
    }
    problems.error(path, allowDetails ? 'config should be a hash of key value pairs, value can be a hash' : 'config should be a hash of key value pairs');
    return [];
  }
  return out;
}

/** Later lists win per key; order of first appearance is kept. */
export function overlayVariables(...lists: YamlVariable[][]): YamlVariable[] {
  const byKey = new Map<string, YamlVariable>();
  for (const list of lists) for (const v of list) {
    byKey.delete(v.key);
    byKey.set(v.key, v);
  }
  return [...byKey.values()];
}
