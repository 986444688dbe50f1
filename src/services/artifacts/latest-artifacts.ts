import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';
import { artifactSettings } from './artifact-settings.js';

/**
 * GitLab's "keep artifacts from the most recent successful jobs" (on by default): the artifacts of the
 * newest successful pipeline on each ref (and its child pipelines) are locked and outlive their expiry.
 * Conveyor works the lock out when asked instead of storing it on every row.
 */
export async function isLatestSuccessfulOnRef(ctx: ServiceContext, job: Pick<Job, 'pipelineId' | 'projectId'>): Promise<boolean> {
  if (!(await artifactSettings(ctx)).keepLatest) return false;
  let pipeline = await ctx.store.pipelines.findById(job.pipelineId);
  for (let depth = 0; pipeline?.parentPipelineId && depth < 10; depth++) pipeline = await ctx.store.pipelines.findById(pipeline.parentPipelineId);
  if (!pipeline || pipeline.status !== 'success') return false;
  const [latest] = await ctx.store.jobArtifacts.successfulPipelineIdsOnRef(pipeline.projectId, pipeline.ref, 1);
  return latest === pipeline.id;
}
