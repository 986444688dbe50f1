import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { NeedSpec } from '../types.js';
import { checkKeys } from './shape.js';

/** GitLab's default cap on `needs` per job (ci_max_needs / plan limit). */
export const MAX_NEEDS = 50;

/** `needs:` — job names, or `{job, artifacts, optional, parallel}`; `needs: []` means "start at once". */
export function parseNeeds(value: unknown, path: string, problems: Problems): NeedSpec[] | null {
  if (value === null || value === undefined) return null;
  const items = Array.isArray(value) ? value : [value];
  const needs: NeedSpec[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number') {
      needs.push({ name: String(item), artifacts: true, optional: false });
      continue;
    }
    if (isHash(item) && (item.project !== undefined || item.pipeline !== undefined)) {
      // Cross-project and parent-pipeline needs fetch artifacts only; they do not order jobs here.
      continue;
    }
    if (!isHash(item) || (typeof item.job !== 'string' && typeof item.job !== 'number')) {
      problems.error(`${path}:need`, 'config should be a string or a hash containing a job');
      continue;
    }
    checkKeys(item, ['job', 'artifacts', 'optional', 'parallel'], `${path}:need`, problems);
    if (item.artifacts !== undefined && typeof item.artifacts !== 'boolean') problems.error(`${path}:need artifacts`, 'should be a boolean value');
    if (item.optional !== undefined && typeof item.optional !== 'boolean') problems.error(`${path}:need optional`, 'should be a boolean value');
    const need: NeedSpec = { name: String(item.job), artifacts: item.artifacts !== false, optional: item.optional === true };
    if (isHash(item.parallel) && Array.isArray(item.parallel.matrix)) {
      need.parallel = { matrix: item.parallel.matrix.filter(isHash) as Array<Record<string, string | string[]>> };
    }
    needs.push(need);
  }
  if (needs.length > MAX_NEEDS) problems.error(path, `config can only have ${MAX_NEEDS} needs`);
  return needs;
}
