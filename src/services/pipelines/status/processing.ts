import { compositeStatus, type StatusItem } from './composite-status.js';
import { COMPLETED_STATUSES, type JobStatus } from './job-status.js';

/** What the processor needs to know about each (latest, not retried) job of a pipeline. */
export interface ProcessableJob {
  id: number;
  name: string;
  stageIdx: number;
  status: JobStatus;
  when: 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed';
  allowFailure: boolean;
  /** Names of needed jobs for DAG scheduling; null for stage scheduling. */
  needs: string[] | null;
}

export type ProcessingAction = 'enqueue' | 'actionize' | 'schedule' | 'skip';

/** Statuses of prior jobs under which each `when` runs (Ci::ProcessBuildService#valid_statuses_for_processable). */
function runsAfter(job: ProcessableJob): readonly JobStatus[] {
  switch (job.when) {
    case 'on_success':
    case 'manual':
    case 'delayed':
      return job.needs ? ['success'] : ['success', 'skipped'];
    case 'on_failure':
      return ['failed'];
    case 'always':
      return ['success', 'failed', 'skipped'];
  }
}

/**
 * GitLab's AtomicProcessingService as a pure function: walks `created` jobs in stage order and decides,
 * from the composite status of the prior stages (or of the job's needs), whether each is enqueued,
 * made manual, scheduled, skipped, or left waiting. Decisions feed later stages in the same pass.
 */
export function planProcessing(jobs: readonly ProcessableJob[]): Map<number, ProcessingAction> {
  const current = new Map<number, StatusItem & { job: ProcessableJob }>(jobs.map((j) => [j.id, { status: j.status, allowFailure: j.allowFailure, job: j }]));
  const byName = new Map<string, Array<StatusItem & { job: ProcessableJob }>>();
  for (const item of current.values()) byName.set(item.job.name, [...(byName.get(item.job.name) ?? []), item]);
  const actions = new Map<number, ProcessingAction>();
  const ordered = [...jobs].sort((a, b) => a.stageIdx - b.stageIdx || a.id - b.id);

  for (const job of ordered) {
    if (current.get(job.id)!.status !== 'created') continue;
    let prior: JobStatus | null;
    if (job.needs) {
      const needed = job.needs.flatMap((name) => byName.get(name) ?? []);
      prior = needed.length === 0 ? 'success' : compositeStatus(needed, { dag: true });
    } else {
      const before = [...current.values()].filter((i) => i.job.stageIdx < job.stageIdx);
      prior = compositeStatus(before) ?? 'success';
    }
    if (!prior || !COMPLETED_STATUSES.includes(prior)) continue;
    let action: ProcessingAction;
    if (!runsAfter(job).includes(prior)) action = 'skip';
    else if (job.when === 'delayed') action = 'schedule';
    else if (job.when === 'manual') action = 'actionize';
    else action = 'enqueue';
    actions.set(job.id, action);
    const next: JobStatus = action === 'skip' ? 'skipped' : action === 'actionize' ? 'manual' : action === 'schedule' ? 'scheduled' : 'pending';
    current.get(job.id)!.status = next;
  }
  return actions;
}
