import { isHash, type Hash } from './deep-merge.js';
import type { Problems } from './problems.js';

/**
 * GitLab's Entry::Root#filter_jobs! and Entry::Jobs: which top-level keys are jobs, and the Jobs
 * node's own checks. When those fail, GitLab composes no job at all, so no job-level error is shown.
 */

/** Root entries that can never be job names; `default` and `workflow` can, when they look like a job. */
const RESERVED = ['include', 'before_script', 'image', 'services', 'after_script', 'variables', 'stages', 'cache'];
const ROOT_KEYS = [...RESERVED, 'default', 'workflow'];

export type JobType = 'hidden' | 'job' | 'bridge' | null;

/** Entry::Jobs.find_type: Hidden (a leading dot), Job (`script`/`run`), Bridge (`trigger`/`needs`), else none. */
export function jobType(name: string, value: unknown): JobType {
  if (name.startsWith('.')) return 'hidden';
  if (!isHash(value)) return null;
  if ('script' in value || 'run' in value) return 'job';
  if ('trigger' in value || 'needs' in value) return 'bridge';
  return null;
}

/** The keys of the config that form `jobs:`, in order. */
export function jobEntries(config: Hash): Array<[string, unknown]> {
  return Object.entries(config).filter(([name, value]) => !RESERVED.includes(name) && (jobType(name, value) !== null || !ROOT_KEYS.includes(name)));
}

/** Rails' `humanize`, then GitLab's fix-up that turns the spaces of a plain name back into underscores. */
function humanized(name: string): string {
  const text = name.replace(/^_+/, '').replace(/_id$/, '').replace(/_/g, ' ').toLowerCase();
  return /^[a-z\s]+$/.test(text) ? text.replace(/\s/g, '_') : text;
}

const isBlank = (v: unknown) =>
  v === null || v === undefined || v === false || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0) || (isHash(v) && Object.keys(v).length === 0);

/** The Jobs node's validations; false means no job may be composed. */
export function checkJobs(entries: Array<[string, unknown]>, problems: Problems): boolean {
  const before = problems.errors.length;
  for (const [name, value] of entries) {
    // errors.add(name, ...) on the Jobs node: "jobs <humanized name> config should implement ...".
    if (jobType(name, value) === null) problems.error(`jobs ${humanized(name)}`, 'config should implement the script:, run:, or trigger: keyword');
  }
  if (!entries.some(([name, value]) => jobType(name, value) === 'job' || jobType(name, value) === 'bridge')) {
    problems.error('jobs', 'config should contain at least one visible job');
  }
  if (problems.errors.length > before) return false;
  for (const [name, value] of entries) if (jobType(name, value) === 'hidden' && isBlank(value)) problems.error(`jobs:${name}`, "config can't be blank");
  return true;
}
