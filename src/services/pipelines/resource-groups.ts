import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';
import { transitionJob } from './job-transitions.js';
import { processPipeline } from './process-pipeline.js';

/**
 * After `job` stopped holding its resource group (it finished, or was canceled), hands the group to the
 * oldest job waiting for it (GitLab's "unordered" process mode), if no other job holds it.
 */
export async function releaseResource(ctx: ServiceContext, job: Job): Promise<void> {
  if (!job.resourceGroup) return;
  if ((await ctx.store.jobs.countHoldingResource(job.projectId, job.resourceGroup)) > 0) return;
  const next = await ctx.store.jobs.nextWaitingForResource(job.projectId, job.resourceGroup);
  if (!next) return;
  if (await transitionJob(ctx, next, 'enqueue')) await processPipeline(ctx, next.pipelineId);
}
