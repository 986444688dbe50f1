import type { Job } from '../../store/jobs-repository.js';
import type { RunnerManager } from '../../store/runner-managers-repository.js';
import type { Runner } from '../../store/runners-repository.js';
import type { ServiceContext } from '../context.js';
import { queueBatch, type QueueBatch } from './build-queue.js';
import { JOB_TOKEN_PREFIX } from '../jobs/job-tokens.js';
import { startJob } from '../pipelines/job-lifecycle.js';
import { requeueJob } from '../pipelines/job-transitions.js';
import { tokenDigest } from '../security/secrets.js';
import { buildJobPayload, jobTimeout } from './job-payload.js';
import { dependencySources } from './job-dependencies.js';
import { runnerMatchesJob } from './runner-matcher.js';
import { failIfDependencyMissing } from '../artifacts/dependency-check.js';

/**
 * Candidates read per query; a runner whose tags match none of them reads the next batch. Small: the first
 * unclaimed match is taken, and each candidate read costs (50 made a tenth of an assignment's time).
 */
const CANDIDATE_BATCH = 16;
/** The head of the queue shared by a lone process's concurrent requests (BuildQueue.queueHead). */
const QUEUE_HEAD = 64;

export type JobRequestResult =
  | { status: 'assigned'; job: Job; payload: object }
  /** Nothing for this runner; `version` goes out as `X-GitLab-Last-Update` (absent after a long poll timed out). */
  | { status: 'none'; version: string | null };

/** Which projects a runner serves: all (instance), its assigned ones (project), or its group's tree (group). */
async function projectScope(ctx: ServiceContext, runner: Runner): Promise<number[] | undefined> {
  if (runner.runnerType === 'instance_type') return undefined;
  if (runner.runnerType === 'project_type') return ctx.store.runners.projectIds(runner.id);
  if (runner.groupId === null) return [];
  const namespaces = [runner.groupId, ...(await ctx.store.namespaces.descendantIds([runner.groupId]))];
  return ctx.store.projects.idsInNamespaces(namespaces);
}

/**
 * Hands the oldest pending build this runner may run to it (GitLab's RegisterJobService): every candidate
 * is taken with a conditional update, so of several runners asking at once exactly one wins each job and
 * the others move on to the next candidate. The job's token is issued here and only its digest stored.
 */
export async function assignNextJob(ctx: ServiceContext, runner: Runner, manager: RunnerManager): Promise<{ job: Job; payload: object } | null> {
  const projectIds = await projectScope(ctx, runner);
  // Instance runners of a lone process start from the queue's head as this process last read it.
  const sharedHead = projectIds === undefined && !ctx.queue.shared;
  let afterId = 0;
  for (;;) {
    const batch: QueueBatch = sharedHead && afterId === 0
      ? await ctx.queue.queueHead(QUEUE_HEAD, () => ctx.store.jobQueue.candidates(0, QUEUE_HEAD))
      : queueBatch(await ctx.store.jobQueue.candidates(afterId, CANDIDATE_BATCH, projectIds), CANDIDATE_BATCH, afterId);
    for (const candidate of batch.jobs) {
      if (!runnerMatchesJob(runner, candidate) || !ctx.queue.claim(candidate.id)) continue;
      let settled = false;
      try {
        const assigned = await tryAssign(ctx, candidate.id, runner, manager);
        settled = true;
        if (assigned) return assigned;
      } finally {
        ctx.queue.unclaim(candidate.id);
        // Taken here, or no longer pending: either way not a candidate any more.
        if (settled) ctx.queue.leftQueue(candidate.id);
      }
    }
    if (!batch.more) return null;
    afterId = batch.lastId;
  }
}

async function tryAssign(ctx: ServiceContext, jobId: number, runner: Runner, manager: RunnerManager): Promise<{ job: Job; payload: object } | null> {
  const job = await ctx.store.jobs.findById(jobId);
  if (!job || job.status !== 'pending') return null;
  const dependencies = await dependencySources(ctx, job);
  if (await failIfDependencyMissing(ctx, job, dependencies)) return null;
  const [pipeline, project] = await Promise.all([ctx.store.pipelines.findById(job.pipelineId), ctx.store.projects.findById(job.projectId)]);
  if (!pipeline || !project) return null;
  const token = ctx.secrets.token(JOB_TOKEN_PREFIX);
  const started = await startJob(ctx, job, { runnerId: runner.id, runnerManagerId: manager.id, tokenDigest: tokenDigest(token) }, pipeline);
  if (!started) return null;
  try {
    return { job: started, payload: await buildJobPayload(ctx, { job: started, token, pipeline, project, runner, timeoutSeconds: jobTimeout(started, project, runner), dependencies }) };
  } catch (error) {
    // The runner will never hear of this job (the database went away, say): give it back to the queue.
    await requeueJob(ctx, started).catch(() => undefined);
    throw error;
  }
}

/**
 * `POST /jobs/request`: a paused runner gets nothing; a runner whose `last_update` is current is held
 * until a job becomes pending or `longPollMs` passes (answered without touching the database); then the
 * queue is searched once.
 */
export async function requestJob(
  ctx: ServiceContext,
  runner: Runner,
  manager: RunnerManager,
  lastUpdate: string | undefined,
  /** `hangUp` is asked for only when the request is about to wait (an AbortController per poll is costly). */
  options: { longPollMs: number; hangUp?: () => AbortSignal },
): Promise<JobRequestResult> {
  if (runner.paused) return { status: 'none', version: ctx.queue.version() };
  if (lastUpdate !== undefined && lastUpdate === ctx.queue.version()) {
    // Without long polling this is Rails' answer: nothing changed, so nothing to search.
    if (options.longPollMs <= 0) return { status: 'none', version: lastUpdate };
    const changed = await ctx.queue.waitForChange(lastUpdate, options.longPollMs, options.hangUp?.());
    if (!changed || ctx.queue.closed) return { status: 'none', version: null };
  }
  const version = ctx.queue.version();
  const assigned = await assignNextJob(ctx, runner, manager);
  if (assigned) return Object.assign({ status: 'assigned' as const }, assigned);
  return { status: 'none', version };
}
