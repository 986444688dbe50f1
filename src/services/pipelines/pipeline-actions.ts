import { badRequest, forbidden } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Pipeline } from '../../store/pipelines-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { deleteArtifactFiles } from '../artifacts/artifact-removal.js';
import { deleteTrace } from '../traces/traces.js';
import { UNRUN_JOB } from './unrun-job.js';
import { transitionJob, transitionJobs } from './job-transitions.js';
import { releaseResource } from './resource-groups.js';
import { enqueue, processPipeline } from './process-pipeline.js';
import { CANCELABLE_STATUSES, COMPLETED_STATUSES, type JobStatus } from './status/job-status.js';

const RETRYABLE: readonly JobStatus[] = ['success', 'failed', 'canceled', 'canceling'];

/** Cancels every cancelable job of a pipeline (and its manual ones), then reprocesses it. */
export async function cancelPipelineJobs(
  ctx: ServiceContext,
  pipeline: Pipeline,
  /** `force`: no graceful `canceling` for jobs whose runner could run their after_script (the pipeline is going away). */
  options: { autoCanceledBy?: number; force?: boolean } = {},
): Promise<Pipeline> {
  const jobs = await ctx.store.jobs.listByPipeline(pipeline.id);
  const cancelable = jobs.filter((j) => [...CANCELABLE_STATUSES, 'manual'].includes(j.status as JobStatus));
  const graceful = new Set<number>();
  if (!options.force) for (const job of cancelable) if ((await cancelEventFor(ctx, job)) === 'start_canceling') graceful.add(job.id);
  const canceled = await transitionJobs(ctx, cancelable.filter((j) => !graceful.has(j.id)), 'cancel');
  await transitionJobs(ctx, cancelable.filter((j) => graceful.has(j.id)), 'start_canceling');
  for (const job of jobs) {
    if (job.downstreamPipelineId !== null) {
      const downstream = await ctx.store.pipelines.findById(job.downstreamPipelineId);
      if (downstream) await cancelPipelineJobs(ctx, downstream, { force: options.force });
    }
  }
  // After the downstream pipelines: a job of theirs waiting for the group must not be handed it and start.
  for (const job of canceled) await releaseResource(ctx, job);
  if (options.autoCanceledBy !== undefined) await ctx.store.pipelines.update(pipeline.id, { autoCanceledById: options.autoCanceledBy });
  return (await processPipeline(ctx, pipeline.id)) ?? pipeline;
}

export function isRetryable(job: Job): boolean {
  return RETRYABLE.includes(job.status as JobStatus) && !job.retried;
}

/**
 * GitLab's RetryJobService: a new `created` job cloned from the old one (new id, the caller as user), the
 * old one flagged retried, skipped jobs after it reset to `created`; processing then decides, except that a
 * retried manual or delayed job is enqueued at once instead of waiting to be played again.
 */
export async function retryJob(
  ctx: ServiceContext,
  job: Job,
  userId: number,
  options: { automatic?: boolean; variables?: Array<{ key: string; value: string }> } = {},
): Promise<Job> {
  if (!isRetryable(job)) throw forbidden('Job is not retryable');
  const now = isoNow(ctx);
  const clone = await ctx.store.transaction(async (store) => {
    await store.jobs.update(job.id, { retried: true, updatedAt: now });
    return store.jobs.insert({
      ...job,
      ...UNRUN_JOB,
      status: 'created',
      userId,
      retryCount: options.automatic ? job.retryCount + 1 : job.retryCount,
      jobVariables: options.variables && options.variables.length > 0 ? options.variables : job.jobVariables,
      createdAt: now,
      updatedAt: now,
    });
  });
  await resetSkippedAfter(ctx, clone);
  const actionable = clone.when === 'manual' || clone.when === 'delayed';
  if (actionable) await enqueue(ctx, clone);
  await processPipeline(ctx, job.pipelineId);
  return (await ctx.store.jobs.findById(clone.id)) ?? clone;
}

/** Jobs after `job` that were skipped because of it go back to `created` (GitLab's ResetSkippedJobsService). */
async function resetSkippedAfter(ctx: ServiceContext, job: Job): Promise<void> {
  for (const other of await ctx.store.jobs.listByPipeline(job.pipelineId)) {
    const dependsOnJob = other.schedulingType === 'dag' ? (other.spec.needs ?? []).some((n) => n.name === job.name) : other.stageIdx > job.stageIdx;
    if (other.status === 'skipped' && dependsOnJob) await ctx.store.jobs.updateIfStatus(other.id, 'skipped', { status: 'created', updatedAt: isoNow(ctx) });
  }
}

/** Retries every failed or canceled job of a pipeline (GitLab's RetryPipelineService). */
export async function retryPipeline(ctx: ServiceContext, pipeline: Pipeline, userId: number): Promise<Pipeline> {
  for (const job of await ctx.store.jobs.listByPipeline(pipeline.id)) {
    if ((job.status === 'failed' || job.status === 'canceled') && isRetryable(job)) await retryJob(ctx, job, userId);
  }
  await ctx.store.pipelines.update(pipeline.id, { finishedAt: null, updatedAt: isoNow(ctx) });
  return (await processPipeline(ctx, pipeline.id)) ?? pipeline;
}

/**
 * A running job whose runner said it can stop gracefully (`features.cancel_gracefully`) goes to
 * `canceling` and its runner runs `after_script` before reporting; any other job is canceled at once and
 * its runner, if any, aborts on its next call.
 */
async function cancelEventFor(ctx: ServiceContext, job: Job): Promise<'cancel' | 'start_canceling'> {
  if (job.status !== 'running' || job.runnerManagerId === null) return 'cancel';
  const manager = await ctx.store.runnerManagers.findById(job.runnerManagerId);
  return manager?.features.cancel_gracefully === true ? 'start_canceling' : 'cancel';
}

/** Cancel: 201 with the job whether or not anything changed (GitLab's behaviour). */
export async function cancelJob(ctx: ServiceContext, job: Job): Promise<Job> {
  if (![...CANCELABLE_STATUSES, 'manual'].includes(job.status as JobStatus)) return job;
  const updated = await transitionJob(ctx, job, await cancelEventFor(ctx, job));
  if (updated?.status === 'canceled') await releaseResource(ctx, updated);
  await processPipeline(ctx, job.pipelineId);
  return updated ?? (await ctx.store.jobs.findById(job.id)) ?? job;
}

export function isPlayable(job: Job): boolean {
  const actionable = job.when === 'manual' || job.when === 'delayed';
  return actionable && (job.status === 'manual' || job.status === 'scheduled' || isRetryable(job));
}

/** Play a manual or delayed job: it starts now as the caller's, with the given variables; finished ones are retried. */
export async function playJob(ctx: ServiceContext, job: Job, userId: number, variables: Array<{ key: string; value: string }> = []): Promise<Job> {
  if (!isPlayable(job)) throw badRequest('Unplayable Job');
  if (COMPLETED_STATUSES.includes(job.status as JobStatus)) {
    // GitLab retries a finished manual job with the new variables, and answers with the job it was asked to play.
    await retryJob(ctx, job, userId, { variables });
    return (await ctx.store.jobs.findById(job.id)) ?? job;
  }
  const changes = { userId, jobVariables: variables };
  const updated = (job.resourceGroup && (await ctx.store.jobs.countHoldingResource(job.projectId, job.resourceGroup)) > 0)
    ? await transitionJob(ctx, job, 'enqueue_waiting', { changes })
    : await transitionJob(ctx, job, 'enqueue', { changes });
  await processPipeline(ctx, job.pipelineId);
  return updated ?? (await ctx.store.jobs.findById(job.id)) ?? job;
}

/**
 * GitLab's DestroyPipelineService: unfinished jobs (and those of its downstream pipelines) are canceled
 * first, so what waits on them moves on (a resource group they hold is released), then the pipeline goes
 * with its jobs, their artifacts (off the project's statistics) and logs; the files once the rows are gone.
 */
export async function deletePipeline(ctx: ServiceContext, pipeline: Pipeline): Promise<void> {
  await cancelPipelineJobs(ctx, pipeline, { force: true });
  const jobs = await ctx.store.jobs.listByPipeline(pipeline.id, { includeRetried: true });
  const artifacts = await ctx.store.transaction(async (store) => {
    // A log archived or an artifact uploaded meanwhile waits for this delete, then finds its job gone,
    // instead of being deleted by the cascade without leaving the project's statistics.
    await store.pipelines.lockJobs(pipeline.id);
    const removed = await store.jobArtifacts.deleteByPipeline(pipeline.id);
    await store.pipelines.delete(pipeline.id);
    return removed;
  });
  await deleteArtifactFiles(ctx, artifacts.map((a) => a.blobKey));
  for (const job of jobs) await deleteTrace(ctx, job.id);
}
