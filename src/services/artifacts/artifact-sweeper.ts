import type { ServiceContext } from '../context.js';
import { removeArtifacts } from './artifact-removal.js';
import { artifactsLocked } from './latest-artifacts.js';

/**
 * Removes artifacts whose expiry passed (GitLab's ExpireBuildArtifactsWorker), except those of the newest
 * successful pipeline on each ref while "keep latest artifacts" is on, and those of projects whose
 * artifacts' size is being recounted (they wait for the next sweep). Rows are deleted before files, so
 * several processes sweeping at once remove each file once. Returns how many it removed.
 */
export async function sweepExpiredArtifacts(ctx: ServiceContext, batchSize = 500): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const kept = new Map<number, boolean>();
  let afterId = 0;
  let removed = 0;
  for (;;) {
    const batch = await ctx.store.jobArtifacts.listExpired(now, afterId, batchSize);
    if (batch.length === 0) return removed;
    afterId = batch[batch.length - 1].id;
    const jobs = await ctx.store.jobs.findByIds([...new Set(batch.map((a) => a.jobId))]);
    const recounting = await ctx.store.projectStatistics.refreshingAmong(batch.map((a) => a.projectId));
    const doomed = [];
    for (const artifact of batch) {
      if (recounting.has(artifact.projectId)) continue;
      const job = jobs.get(artifact.jobId);
      if (job) {
        if (!kept.has(job.pipelineId)) kept.set(job.pipelineId, await artifactsLocked(ctx, job));
        if (kept.get(job.pipelineId)) continue;
      }
      doomed.push(artifact);
    }
    removed += (await removeArtifacts(ctx, doomed)).length;
  }
}
