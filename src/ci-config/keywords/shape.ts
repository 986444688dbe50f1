import { isHash, type Hash } from '../deep-merge.js';
import type { Problems } from '../problems.js';

/** Keys of `value` outside `allowed`, reported as GitLab does: "config contains unknown keys: a, b". */
export function checkKeys(value: Hash, allowed: readonly string[], path: string, problems: Problems): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) problems.error(path, `config contains unknown keys: ${unknown.join(', ')}`);
}

export function asString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A string or an array of strings (scalars accepted as strings, as Ruby's YAML hands them over). */
export function stringList(value: unknown, path: string, problems: Problems, message = 'config should be an array of strings'): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    const text = typeof item === 'string' || typeof item === 'number' ? String(item) : null;
    if (text === null) {
      problems.error(path, message);
      return [];
    }
    out.push(text);
  }
  return out;
}

export function strictStringArray(value: unknown, path: string, problems: Problems, message = 'config should be an array of strings'): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.error(path, message);
    return [];
  }
  return value as string[];
}

export function booleanValue(value: unknown, path: string, problems: Problems, message = 'config should be a boolean value'): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') {
    problems.error(path, message);
    return null;
  }
  return value;
}

export function hashValue(value: unknown, path: string, problems: Problems, message = 'config should be a hash'): Hash | null {
  if (!isHash(value)) {
    problems.error(path, message);
    return null;
  }
  return value;
}
