import type { Job } from '../../store/jobs-repository.js';
import type { Pipeline } from '../../store/pipelines-repository.js';
import type { ServiceContext } from '../context.js';
import { transitionJob } from './job-transitions.js';
import { pipelineJobStarted, processPipeline } from './process-pipeline.js';
import { retryJob } from './pipeline-actions.js';
import { releaseResource } from './resource-groups.js';

export type FinishOutcome = { status: 'success' } | { status: 'failed'; failureReason: string; exitCode?: number | null };

/** A runner took the job: pending → running. `pipeline` is the job's pipeline as the caller read it. */
export async function startJob(
  ctx: ServiceContext,
  job: Job,
  changes: { runnerId?: number; runnerManagerId?: number; tokenDigest?: string } = {},
  pipeline?: Pipeline,
): Promise<Job | null> {
  const started = await transitionJob(ctx, job, 'run', { changes });
  // The job is its runner's now whatever happens next; a pipeline status this misses (the database went
  // away in between) is set by the pipeline's next processing, at the latest when the job finishes.
  if (started) await pipelineJobStarted(ctx, job.pipelineId, pipeline).catch(() => undefined);
  return started;
}

/** Whether GitLab's `retry:` asks for another attempt after this failure. */
function wantsAutomaticRetry(job: Job, failureReason: string, exitCode: number | null | undefined): boolean {
  const retry = job.spec.retry;
  if (!retry || job.retryCount >= retry.max) return false;
  const reasonMatches = retry.when.includes('always') || retry.when.includes(failureReason);
  const codeMatches = retry.exit_codes.length === 0 || (exitCode !== null && exitCode !== undefined && retry.exit_codes.includes(exitCode));
  return reasonMatches && codeMatches;
}

/**
 * A job ended. Failures listed in `allow_failure: exit_codes` count as allowed; `retry:` may clone it;
 * the job's resource group is handed to the next waiting job; the pipeline is reprocessed.
 */
export async function finishJob(ctx: ServiceContext, job: Job, outcome: FinishOutcome): Promise<Job | null> {
  let finished: Job | null;
  if (outcome.status === 'success') finished = await transitionJob(ctx, job, 'success');
  else {
    const exitCode = outcome.exitCode ?? null;
    const allowedByCode = exitCode !== null && (job.spec.allow_failure_exit_codes ?? []).includes(exitCode);
    finished = await transitionJob(ctx, job, 'drop', {
      changes: { failureReason: outcome.failureReason, exitCode, ...(allowedByCode ? { allowFailure: true } : {}) },
    });
    if (finished && finished.status === 'failed' && wantsAutomaticRetry(job, outcome.failureReason, exitCode)) {
      await retryJob(ctx, finished, job.userId ?? 0, { automatic: true });
    }
  }
  if (finished) {
    await releaseResource(ctx, job);
    await processPipeline(ctx, job.pipelineId);
  }
  return finished;
}

/** Scheduled (`when: delayed`) jobs whose time has come become pending. Run by a timer in every process. */
export async function enqueueDueJobs(ctx: ServiceContext): Promise<number> {
  let count = 0;
  for (const job of await ctx.store.jobs.listDueScheduled(ctx.clock.now().toISOString())) {
    if (await transitionJob(ctx, job, 'enqueue')) {
      count++;
      await processPipeline(ctx, job.pipelineId);
    }
  }
  return count;
}
