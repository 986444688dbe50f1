import type { JobStatus } from './job-status.js';

export interface StatusItem {
  status: JobStatus;
  allowFailure: boolean;
}

type Member = JobStatus | 'success_with_warnings' | 'ignored';

/**
 * Gitlab::Ci::Status::Composite: the status of a set of jobs (a stage, the jobs before a stage,
 * a job's needs, a whole pipeline). Allowed failures count as "success with warnings"; manual or
 * scheduled jobs that may fail count as "ignored". The order of the checks is GitLab's and matters.
 */
export function compositeStatus(items: readonly StatusItem[], options: { dag?: boolean } = {}): JobStatus | null {
  if (items.length === 0) return null;
  const set = new Set<Member>();
  for (const { status, allowFailure } of items) {
    if (allowFailure && (status === 'failed' || status === 'canceled')) set.add('success_with_warnings');
    else if (allowFailure && (status === 'manual' || status === 'scheduled')) set.add('ignored');
    else set.add(status);
  }
  const only = (...names: Member[]) => {
    const matching = names.filter((n) => set.has(n)).length;
    return matching > 0 && matching === set.size;
  };
  const any = (...names: Member[]) => names.some((n) => set.has(n));
  if (options.dag && (set.has('skipped') || set.has('ignored'))) return 'skipped';
  if (options.dag && !only('success', 'failed', 'canceled', 'skipped', 'success_with_warnings')) return 'pending';
  if (only('skipped', 'ignored')) return 'skipped';
  if (only('success', 'skipped', 'success_with_warnings', 'ignored')) return 'success';
  if (only('created', 'success_with_warnings', 'ignored')) return 'created';
  if (only('preparing', 'success_with_warnings', 'ignored')) return 'preparing';
  if (only('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) return 'canceled';
  if (only('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return 'pending';
  if (any('running', 'pending')) return 'running';
  if (any('waiting_for_resource')) return 'waiting_for_resource';
  if (any('manual')) return 'manual';
  if (any('scheduled')) return 'scheduled';
  if (any('preparing')) return 'preparing';
  if (any('created')) return 'running';
  return 'failed';
}

/** True when an allowed failure is among them (GitLab's "passed with warnings"). */
export function hasWarnings(items: readonly StatusItem[]): boolean {
  return items.some((i) => i.allowFailure && (i.status === 'failed' || i.status === 'canceled'));
}
