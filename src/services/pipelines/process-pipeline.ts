import type { Job } from '../../store/jobs-repository.js';
import type { Pipeline } from '../../store/pipelines-repository.js';
import { parseDuration } from '../../ci-config/duration.js';
import { LockKind } from '../../store/advisory-locks.js';
import { isoNow, type ServiceContext } from '../context.js';
import { compositeStatus } from './status/composite-status.js';
import { COMPLETED_STATUSES, type JobStatus } from './status/job-status.js';
import { planProcessing, type ProcessableJob } from './status/processing.js';
import { transitionJob, transitionJobs } from './job-transitions.js';

/** Per-pipeline chains so two events for one pipeline are processed one after the other, never interleaved. */
const chains = new Map<number, Promise<unknown>>();

/**
 * Runs `work` after the pipeline's earlier processing in this process, holding the pipeline's lock against
 * other server processes, so two processes never interleave their view of one pipeline.
 */
function chained<T>(ctx: ServiceContext, pipelineId: number, work: () => Promise<T>): Promise<T> {
  const previous = chains.get(pipelineId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => ctx.store.locks.withLock(LockKind.pipeline, pipelineId, work));
  chains.set(pipelineId, next);
  void next.finally(() => {
    if (chains.get(pipelineId) === next) chains.delete(pipelineId);
  }).catch(() => undefined);
  return next;
}

export function processPipeline(ctx: ServiceContext, pipelineId: number): Promise<Pipeline | undefined> {
  return chained(ctx, pipelineId, () => processNow(ctx, pipelineId));
}

/**
 * A job of the pipeline started. Only the first start changes anything (the pipeline turns `running`);
 * later ones read the pipeline row instead of reprocessing every job, which keeps runners taking jobs
 * from a large pipeline fast. Chained like processPipeline, so it never interleaves with it.
 */
export function pipelineJobStarted(ctx: ServiceContext, pipelineId: number): Promise<Pipeline | undefined> {
  return chained(ctx, pipelineId, async () => {
    const pipeline = await ctx.store.pipelines.findById(pipelineId);
    if (!pipeline || pipeline.status === 'running') return pipeline;
    return processNow(ctx, pipelineId);
  });
}

function processable(job: Job): ProcessableJob {
  return {
    id: job.id,
    name: job.name,
    stageIdx: job.stageIdx,
    status: job.status as JobStatus,
    when: job.when as ProcessableJob['when'],
    allowFailure: job.allowFailure,
    needs: job.schedulingType === 'dag' ? (job.spec.needs ?? []).map((n) => n.name) : null,
  };
}

/** Enqueues a job, or parks it as waiting_for_resource while another job holds its resource group. */
export async function enqueue(ctx: ServiceContext, job: Job): Promise<Job | null> {
  if (job.resourceGroup && (await ctx.store.jobs.countHoldingResource(job.projectId, job.resourceGroup)) > 0) {
    return transitionJob(ctx, job, 'enqueue_waiting');
  }
  return transitionJob(ctx, job, 'enqueue');
}

async function processNow(ctx: ServiceContext, pipelineId: number): Promise<Pipeline | undefined> {
  const pipeline = await ctx.store.pipelines.findById(pipelineId);
  if (!pipeline) return undefined;
  const jobs = await ctx.store.jobs.listByPipeline(pipelineId);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const actions = planProcessing(jobs.map(processable));
  const batches: Record<'skip' | 'actionize' | 'enqueue', Job[]> = { skip: [], actionize: [], enqueue: [] };
  for (const [id, action] of actions) {
    const job = byId.get(id)!;
    if (action === 'schedule') {
      const seconds = parseDuration(job.spec.start_in ?? '') ?? 0;
      const at = new Date(ctx.clock.now().getTime() + seconds * 1000).toISOString();
      const updated = await transitionJob(ctx, job, 'schedule', { changes: { scheduledAt: at } });
      if (updated) byId.set(id, updated);
    } else if (action === 'enqueue' && job.resourceGroup) {
      const updated = await enqueue(ctx, job);
      if (updated) byId.set(id, updated);
    } else batches[action].push(job);
  }
  for (const [action, group] of Object.entries(batches) as Array<[keyof typeof batches, Job[]]>) {
    for (const updated of await transitionJobs(ctx, group, action)) byId.set(updated.id, updated);
  }
  return updatePipelineStatus(ctx, pipeline, [...byId.values()]);
}

/** Pipeline status is the composite of its latest jobs, with GitLab's timestamps. */
async function updatePipelineStatus(ctx: ServiceContext, pipeline: Pipeline, jobs: Job[]): Promise<Pipeline> {
  const status = compositeStatus(jobs.map((j) => ({ status: j.status as JobStatus, allowFailure: j.allowFailure }))) ?? 'skipped';
  if (status === pipeline.status) return pipeline;
  const now = isoNow(ctx);
  const started = pipeline.startedAt ?? (['running', 'success', 'failed', 'canceled'].includes(status) ? now : null);
  const finished = COMPLETED_STATUSES.includes(status) || status === 'manual' ? (pipeline.finishedAt ?? now) : null;
  const changes = { status, updatedAt: now, startedAt: started, finishedAt: COMPLETED_STATUSES.includes(status) ? finished : null };
  await ctx.store.pipelines.update(pipeline.id, changes);
  ctx.events.emit('pipeline-status', { pipelineId: pipeline.id, projectId: pipeline.projectId, status });
  return { ...pipeline, ...changes, finishedAt: changes.finishedAt };
}
