import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { NeedSpec } from '../types.js';
import { checkKeys } from './shape.js';

/** GitLab's default cap on `needs` per job (plan limit ci_needs_size_limit), checked when the pipeline is seeded. */
export const MAX_NEEDS = 50;

/** A parallel:matrix selection as the need wrote it; values stay lists so instance names follow the need's order. */
function needMatrix(value: unknown, path: string, problems: Problems): NeedSpec['parallel'] | undefined {
  if (value === undefined) return undefined;
  if (!isHash(value) || !Array.isArray(value.matrix) || !value.matrix.every(isHash)) {
    problems.error(`${path}:parallel`, 'config should be a hash with a matrix of hashes');
    return undefined;
  }
  const matrix = (value.matrix as Array<Record<string, unknown>>).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])),
  );
  return { matrix };
}

/**
 * `needs:` (Entry::Needs / Entry::Need) — job names, or `{job, artifacts, optional, parallel}`;
 * `needs: []` means "start at once". Cross-project and parent-pipeline needs only fetch artifacts
 * and do not order jobs here, so they are accepted and left out.
 */
export function parseNeeds(value: unknown, path: string, problems: Problems): NeedSpec[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) && !isHash(value)) {
    problems.error(path, 'config can only be a hash or an array');
    return null;
  }
  if (isHash(value) && Object.keys(value).length === 0) problems.error(path, 'config can not be an empty hash');
  const needPath = `${path}:need`;
  const needs: NeedSpec[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item === 'string') {
      if (item === '') problems.error(needPath, "config can't be blank");
      needs.push({ name: item, artifacts: true, optional: false });
      continue;
    }
    if (isHash(item) && item.job !== undefined && (item.project !== undefined || item.pipeline !== undefined || item.ref !== undefined)) continue;
    if (isHash(item) && item.job === undefined && item.pipeline !== undefined) continue;
    if (!isHash(item) || item.job === undefined) {
      problems.error(needPath, 'has an unsupported type');
      continue;
    }
    checkKeys(item, ['job', 'artifacts', 'optional', 'parallel'], needPath, problems);
    if (typeof item.job !== 'string') problems.error(`${needPath} job`, 'should be a string');
    if (item.artifacts !== undefined && item.artifacts !== null && typeof item.artifacts !== 'boolean') problems.error(`${needPath} artifacts`, 'should be a boolean value');
    if (item.optional !== undefined && item.optional !== null && typeof item.optional !== 'boolean') problems.error(`${needPath} optional`, 'should be a boolean value');
    const need: NeedSpec = { name: String(item.job), artifacts: item.artifacts !== false, optional: item.optional === true };
    const parallel = needMatrix(item.parallel, needPath, problems);
    if (parallel) need.parallel = parallel;
    needs.push(need);
  }
  return needs;
}
