import { forbidden, notFound } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { jobAbilities, projectAbilitiesOf } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { jobFacts } from '../jobs/job-actions.js';
import { findProjectJob } from '../jobs/jobs-query.js';
import { rejectIfArtifactsSizeRefreshing } from '../projects/project-statistics.js';
import { authorizeProject } from '../projects/projects.js';
import { isExpired } from './artifact-expiry.js';
import { deleteArtifactFiles, removeArtifacts } from './artifact-removal.js';
import { artifactsLocked } from './latest-artifacts.js';

/**
 * E16 `POST …/artifacts/keep`: `update_build` on the project (403), the job (404), `update_build` on the
 * job (BuildPolicy: protected refs, 403), an unexpired archive (404); then no artifact of the job expires.
 */
export async function keepArtifacts(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<{ project: Project; job: Job }> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'update_build');
  const job = await findProjectJob(ctx, project, jobId);
  if (!jobAbilities(await projectAbilitiesOf(ctx, actor, project), await jobFacts(ctx, actor, project, job)).has('update_build')) throw forbidden();
  const archive = await ctx.store.jobArtifacts.findByJobAndType(job.id, 'archive');
  if (!archive || archive.blobKey === null || isExpired(archive.expireAt, ctx.clock.now())) throw notFound();
  await ctx.store.transaction((store) => store.jobArtifacts.clearExpiry(job.id));
  return { project, job: { ...job, artifactsExpireAt: null } };
}

/** E17 `DELETE …/jobs/:job_id/artifacts`: Maintainers remove every artifact of the job but its log (204 even when none). */
export async function deleteJobArtifacts(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'destroy_artifacts');
  const job = await findProjectJob(ctx, project, jobId);
  await rejectIfArtifactsSizeRefreshing(ctx, project.id);
  const removed = await ctx.store.jobArtifacts.deleteByJob(job.id, { keepTrace: true });
  await deleteArtifactFiles(ctx, removed.map((a) => a.blobKey));
}

/**
 * E18 `DELETE /projects/:id/artifacts`: Maintainers; answers at once (202) while the project's artifacts,
 * except logs and those kept as the latest successful pipeline's of a ref, are removed in the background.
 */
export async function deleteProjectArtifacts(ctx: ServiceContext, actor: Actor, idOrPath: string, onError: (error: unknown) => void): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'destroy_artifacts');
  await rejectIfArtifactsSizeRefreshing(ctx, project.id);
  ctx.events.track(() => removeProjectArtifacts(ctx, project.id).catch(onError));
}

export async function removeProjectArtifacts(ctx: ServiceContext, projectId: number): Promise<number> {
  let afterId = 0;
  let count = 0;
  const kept = new Map<number, boolean>();
  for (;;) {
    const batch = await ctx.store.jobArtifacts.listDeletableByProject(projectId, afterId, 500);
    // A recount that began meanwhile stops the removal, as it stops the sweeper.
    if (batch.length === 0 || (await ctx.store.projectStatistics.isRefreshing(projectId))) return count;
    afterId = batch[batch.length - 1].id;
    const jobs = await ctx.store.jobs.findByIds([...new Set(batch.map((a) => a.jobId))]);
    const doomed = [];
    for (const artifact of batch) {
      const job = jobs.get(artifact.jobId);
      if (!job) continue;
      if (!kept.has(job.pipelineId)) kept.set(job.pipelineId, await artifactsLocked(ctx, job));
      if (!kept.get(job.pipelineId)) doomed.push(artifact);
    }
    count += (await removeArtifacts(ctx, doomed)).length;
  }
}
