import type { Job } from '../../store/jobs-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { finishJob } from '../pipelines/job-lifecycle.js';

export interface StuckJobLimits {
  /** A pending job no runner took for this long fails with `stuck_or_timeout_failure` (GitLab: 1 h without online runners). */
  pendingMs: number;
  /** A running job whose runner sent nothing for this long fails with `runner_system_failure`. */
  silentRunnerMs: number;
  /** A job stuck in `canceling` this long is canceled (GitLab's `no_updates_canceling`). */
  cancelingMs: number;
  /** Past its timeout a running job's own runner reports `job_execution_timeout`; the server waits this much longer. */
  timeoutGraceMs: number;
}

export const DEFAULT_STUCK_LIMITS: StuckJobLimits = { pendingMs: 3_600_000, silentRunnerMs: 3_600_000, cancelingMs: 1_800_000, timeoutGraceMs: 60_000 };

const before = (ctx: ServiceContext, ms: number) => new Date(ctx.clock.now().getTime() - ms).toISOString();

async function timeoutSeconds(ctx: ServiceContext, job: Job, cache: Map<number, number>): Promise<number> {
  let projectTimeout = cache.get(job.projectId);
  if (projectTimeout === undefined) {
    projectTimeout = (await ctx.store.projects.findById(job.projectId))?.buildTimeout ?? 3600;
    cache.set(job.projectId, projectTimeout);
  }
  const runner = job.runnerId !== null ? await ctx.store.runners.findById(job.runnerId) : undefined;
  const own = job.spec.timeout ?? projectTimeout;
  return runner?.maximumTimeout ? Math.min(own, runner.maximumTimeout) : own;
}

/**
 * The server's side of timeouts and lost runners, run on a timer by every server process: each drop is a
 * conditional transition, so when two processes sweep at once every job still fails exactly once.
 * Returns how many jobs it ended.
 */
export async function dropStuckJobs(ctx: ServiceContext, limits: StuckJobLimits = DEFAULT_STUCK_LIMITS): Promise<number> {
  let dropped = 0;
  const drop = async (job: Job, failureReason: string) => {
    if (await finishJob(ctx, job, { status: 'failed', failureReason })) dropped++;
  };
  for (const job of await ctx.store.jobQueue.olderThan('pending', 'queued_at', before(ctx, limits.pendingMs))) {
    await drop(job, 'stuck_or_timeout_failure');
  }
  const timeouts = new Map<number, number>();
  const now = ctx.clock.now().getTime();
  for (const job of await ctx.store.jobQueue.olderThan('running', 'started_at', isoNow(ctx))) {
    const deadline = Date.parse(job.startedAt!) + (await timeoutSeconds(ctx, job, timeouts)) * 1000 + limits.timeoutGraceMs;
    if (deadline < now) await drop(job, 'job_execution_timeout');
    else if (Date.parse(job.updatedAt) < now - limits.silentRunnerMs) await drop(job, 'runner_system_failure');
  }
  for (const job of await ctx.store.jobQueue.olderThan('canceling', 'updated_at', before(ctx, limits.cancelingMs))) {
    await drop(job, 'no_updates_canceling');
  }
  return dropped;
}
