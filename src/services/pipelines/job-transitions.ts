import type { Job, JobChanges } from '../../store/jobs-repository.js';
import type { Store } from '../../store/store.js';
import { isoNow, type ServiceContext } from '../context.js';
import { COMPLETED_STATUSES, nextStatus, type JobEvent, type JobStatus } from './status/job-status.js';

export interface TransitionOptions {
  /** Extra columns written with the status (failure_reason, user, runner, ...). */
  changes?: JobChanges;
  /** The store to write with, when the caller holds a transaction. */
  store?: Store;
}

/**
 * The one way a job's status changes: checks GitLab's state machine, stamps the times GitLab stamps
 * (queued_at entering pending, started_at entering running, finished_at on completion), writes with a
 * conditional update so only one concurrent caller wins, and emits `job-status`.
 * Returns the updated job, or null when the transition is not allowed or another caller won.
 */
export async function transitionJob(ctx: ServiceContext, job: Job, event: JobEvent, options: TransitionOptions = {}): Promise<Job | null> {
  const from = job.status as JobStatus;
  const to = nextStatus(from, event);
  if (!to) return null;
  const now = isoNow(ctx);
  const changes: JobChanges = { ...options.changes, status: to, updatedAt: now };
  if (to === 'pending') changes.queuedAt = now;
  if (to === 'running') changes.startedAt = now;
  if (COMPLETED_STATUSES.includes(to)) changes.finishedAt = now;
  if (to === 'failed' && !changes.failureReason) changes.failureReason = 'unknown_failure';
  const store = options.store ?? ctx.store;
  if (!(await store.jobs.updateIfStatus(job.id, from, changes))) return null;
  const updated: Job = { ...job, ...changes } as Job;
  ctx.events.emit('job-status', { jobId: job.id, type: job.type, pipelineId: job.pipelineId, projectId: job.projectId, from, to });
  return updated;
}

/**
 * transitionJob for many jobs at once (a pipeline's first stage, a whole pipeline canceled): one
 * conditional UPDATE per starting status instead of one per job, with the same checks and events.
 */
export async function transitionJobs(ctx: ServiceContext, jobs: Job[], event: JobEvent, options: TransitionOptions = {}): Promise<Job[]> {
  const byStatus = new Map<JobStatus, Job[]>();
  for (const job of jobs) byStatus.set(job.status as JobStatus, [...(byStatus.get(job.status as JobStatus) ?? []), job]);
  const store = options.store ?? ctx.store;
  const done: Job[] = [];
  for (const [from, group] of byStatus) {
    const to = nextStatus(from, event);
    if (!to) continue;
    const now = isoNow(ctx);
    const changes: JobChanges = { ...options.changes, status: to, updatedAt: now };
    if (to === 'pending') changes.queuedAt = now;
    if (to === 'running') changes.startedAt = now;
    if (COMPLETED_STATUSES.includes(to)) changes.finishedAt = now;
    const updated = new Set(await store.jobs.updateManyIfStatus(group.map((j) => j.id), from, changes));
    for (const job of group) {
      if (!updated.has(job.id)) continue;
      done.push({ ...job, ...changes } as Job);
      ctx.events.emit('job-status', { jobId: job.id, type: job.type, pipelineId: job.pipelineId, projectId: job.projectId, from, to });
    }
  }
  return done;
}

/**
 * Undoes an assignment whose runner never got the job: back to `pending` without runner or token, if it is
 * still running for that assignment. (GitLab requeues unacknowledged jobs the same way.)
 */
export async function requeueJob(ctx: ServiceContext, job: Job): Promise<boolean> {
  const changes = { status: 'pending', runnerId: null, runnerManagerId: null, tokenDigest: null, startedAt: null, updatedAt: isoNow(ctx) };
  if (!(await ctx.store.jobs.updateIfStatus(job.id, 'running', changes))) return false;
  ctx.events.emit('job-status', { jobId: job.id, type: job.type, pipelineId: job.pipelineId, projectId: job.projectId, from: 'running', to: 'pending' });
  return true;
}
