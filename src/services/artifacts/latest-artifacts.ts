import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';
import { artifactSettings } from './artifact-settings.js';

/** Pipeline states from which a pipeline may still end successful (a retried or played job reopens a finished one). */
const UNFINISHED = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled', 'manual']);

/**
 * GitLab's "keep artifacts from the most recent successful jobs" (on by default): the artifacts of the
 * newest successful pipeline on each ref (and its child pipelines) are locked and outlive their expiry.
 * Conveyor works the lock out when asked instead of storing it on every row. As in GitLab, where a
 * pipeline is only unlocked once a newer one succeeds, a pipeline newer than the ref's newest successful
 * one stays locked while it is unfinished: a job retried or a manual job played in the newest successful
 * pipeline reopens it, and its dependencies' expired artifacts must not be swept or refused meanwhile.
 */
export async function artifactsLocked(ctx: ServiceContext, job: Pick<Job, 'pipelineId' | 'projectId'>): Promise<boolean> {
  if (!(await artifactSettings(ctx)).keepLatest) return false;
  let pipeline = await ctx.store.pipelines.findById(job.pipelineId);
  for (let depth = 0; pipeline?.parentPipelineId && depth < 10; depth++) pipeline = await ctx.store.pipelines.findById(pipeline.parentPipelineId);
  if (!pipeline || (pipeline.status !== 'success' && !UNFINISHED.has(pipeline.status))) return false;
  const [latest] = await ctx.store.jobArtifacts.successfulPipelineIdsOnRef(pipeline.projectId, pipeline.ref, 1);
  return pipeline.status === 'success' ? latest === pipeline.id : latest === undefined || pipeline.id > latest;
}
