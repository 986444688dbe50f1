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
export function pipelineJobStarted(ctx: ServiceContext, pipelineId: number, readBefore?: Pipeline): Promise<Pipeline | undefined> {
  // A pipeline already running when the caller read it stays running while one of its jobs starts.
  if (readBefore?.status === 'running') return Promise.resolve(readBefore);
  return chained(ctx, pipelineId, async () => {
    const pipeline = await ctx.store.pipelines.findById(pipelineId);
    if (!pipeline || pipeline.status === 'running') return pipeline;
    return processNow(ctx, pipelineId);
  });
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
  // Narrow rows for the decisions; whole jobs only for the few that change.
  const rows = await ctx.store.jobQueue.processingRows(pipelineId);
  const statuses = new Map(rows.map((row) => [row.id, { status: row.status as JobStatus, allowFailure: row.allowFailure }]));
  const actions = planProcessing(rows as ProcessableJob[]);
  const acting = await ctx.store.jobs.findByIds([...actions.keys()]);
  const batches: Record<'skip' | 'actionize' | 'enqueue', Job[]> = { skip: [], actionize: [], enqueue: [] };
  const changed = (job: Job | null) => {
    if (job) statuses.set(job.id, { status: job.status as JobStatus, allowFailure: job.allowFailure });
  };
  for (const [id, action] of actions) {
    const job = acting.get(id);
    if (!job) continue;
    if (action === 'schedule') {
      const seconds = parseDuration(job.spec.start_in ?? '') ?? 0;
      const at = new Date(ctx.clock.now().getTime() + seconds * 1000).toISOString();
      changed(await transitionJob(ctx, job, 'schedule', { changes: { scheduledAt: at } }));
    } else if (action === 'enqueue' && job.resourceGroup) {
      changed(await enqueue(ctx, job));
    } else batches[action].push(job);
  }
  for (const [action, group] of Object.entries(batches) as Array<[keyof typeof batches, Job[]]>) {
    for (const updated of await transitionJobs(ctx, group, action)) changed(updated);
  }
  return updatePipelineStatus(ctx, pipeline, [...statuses.values()]);
}

/** Pipeline status is the composite of its latest jobs, with GitLab's timestamps. */
async function updatePipelineStatus(ctx: ServiceContext, pipeline: Pipeline, jobs: Array<{ status: JobStatus; allowFailure: boolean }>): Promise<Pipeline> {
  const status = compositeStatus(jobs) ?? 'skipped';
  if (status === pipeline.status) return pipeline;
  const now = isoNow(ctx);
  const started = pipeline.startedAt ?? (['running', 'success', 'failed', 'canceled'].includes(status) ? now : null);
  const finished = COMPLETED_STATUSES.includes(status) || status === 'manual' ? (pipeline.finishedAt ?? now) : null;
  const changes = { status, updatedAt: now, startedAt: started, finishedAt: COMPLETED_STATUSES.includes(status) ? finished : null };
  await ctx.store.pipelines.update(pipeline.id, changes);
  ctx.events.emit('pipeline-status', { pipelineId: pipeline.id, projectId: pipeline.projectId, status });
  return { ...pipeline, ...changes, finishedAt: changes.finishedAt };
}
