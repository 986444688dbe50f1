import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { PolicySpec } from '../types.js';
import { checkKeys, stringList } from './shape.js';

/** `only:` / `except:` — a list of refs, or a hash of refs, variables, changes and kubernetes. */
export function parsePolicy(value: unknown, path: string, problems: Problems): PolicySpec | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) || typeof value === 'string') {
    return { refs: stringList(value, path, problems, 'config should be an array of strings or regular expressions using re2 syntax') };
  }
  if (!isHash(value)) {
    problems.error(path, 'config should be an array of strings or regular expressions using re2 syntax');
    return null;
  }
  checkKeys(value, ['refs', 'variables', 'changes', 'kubernetes'], path, problems);
  const policy: PolicySpec = {};
  if (value.refs !== undefined) policy.refs = stringList(value.refs, `${path}:refs`, problems);
  if (value.variables !== undefined) policy.variables = stringList(value.variables, `${path}:variables`, problems);
  if (value.changes !== undefined) {
    const changes = isHash(value.changes) ? value.changes.paths : value.changes;
    policy.changes = stringList(changes, `${path}:changes`, problems);
  }
  if (value.kubernetes !== undefined) {
    if (value.kubernetes !== 'active') problems.error(`${path}:kubernetes`, 'config should be one of: active');
    else policy.kubernetes = 'active';
  }
  return policy;
}
