import { forbidden, invalidParam } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { can, type ProjectAbility } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { cancelJob, playJob, retryJob } from '../pipelines/pipeline-actions.js';
import { COMPLETED_STATUSES, type JobStatus } from '../pipelines/status/job-status.js';
import { authorizeProject } from '../projects/projects.js';
import { matchesBranchPattern } from '../repositories/branch-patterns.js';
import { pushRulesFor } from '../repositories/protected-branches.js';
import { findProjectJob } from './jobs-query.js';

/**
 * BuildPolicy's refinement: on a protected ref, changing a job (cancel, retry, play, erase) needs the
 * right to push to that ref; archived and erased jobs cannot be changed.
 */
async function mayChangeOnRef(ctx: ServiceContext, actor: Actor, project: Project, job: Job): Promise<boolean> {
  if (actor.user?.isAdmin) return true;
  if (job.tag) return true;
  const rules = await pushRulesFor(ctx, actor, project);
  const matching = rules.protectedPatterns.filter((p) => matchesBranchPattern(p, job.ref));
  return matching.length === 0 || matching.some((p) => rules.pushAllowed.includes(p));
}

async function authorizeJob(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number, ability: ProjectAbility, processable = false) {
  const project = await authorizeProject(ctx, actor, idOrPath, 'read_build');
  const job = await findProjectJob(ctx, project, jobId, { processable });
  if (!(await can(ctx, actor, ability, project)) || !(await mayChangeOnRef(ctx, actor, project, job))) throw forbidden();
  return { project, job };
}

export async function cancelJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, 'cancel_build');
  return { project, job: await cancelJob(ctx, job) };
}

export async function retryJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, 'update_build', true);
  return { project, job: await retryJob(ctx, job, actor.user!.id) };
}

export interface PlayVariable {
  key?: unknown;
  value?: unknown;
}

/** Grape's checks on `job_variables_attributes`: every item needs a key and a value. */
export function validatePlayVariables(items: PlayVariable[] | undefined): Array<{ key: string; value: string }> {
  return (items ?? []).map((item, i) => {
    if (item.key === undefined || item.key === null) throw invalidParam(`job_variables_attributes[${i}][key]`, 'is missing');
    if (item.value === undefined || item.value === null) throw invalidParam(`job_variables_attributes[${i}][value]`, 'is missing');
    return { key: String(item.key), value: String(item.value) };
  });
}

export async function playJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number, variables: Array<{ key: string; value: string }>) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, 'update_build', true);
  return { project, job: await playJob(ctx, job, actor.user!.id, variables) };
}

/**
 * Erase: Maintainers erase any finished job; Developers only the ones they triggered, on unprotected refs.
 * A job is erasable when finished and it still has artifacts or a log.
 */
export async function eraseJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const project = await authorizeProject(ctx, actor, idOrPath, 'read_build');
  const job = await findProjectJob(ctx, project, jobId);
  const admin = await can(ctx, actor, 'admin_build', project);
  const own = (await can(ctx, actor, 'update_build', project)) && job.userId === actor.user?.id && (await mayChangeOnRef(ctx, actor, project, job));
  if (!admin && !own) throw forbidden();
  const artifacts = (await ctx.store.jobArtifacts.listByJobs([job.id])).get(job.id) ?? [];
  if (!COMPLETED_STATUSES.includes(job.status as JobStatus) || job.erasedAt !== null || artifacts.length === 0) {
    throw forbidden('Job is not erasable!');
  }
  const now = isoNow(ctx);
  await ctx.store.transaction(async (store) => {
    await store.jobArtifacts.deleteByJob(job.id);
    await store.jobs.update(job.id, { erasedAt: now, erasedById: actor.user!.id, updatedAt: now });
  });
  ctx.events.emit('job-erased', { jobId: job.id, projectId: job.projectId, artifacts: artifacts.map((a) => a.blobKey).filter((k): k is string => k !== null) });
  return { project, job: { ...job, erasedAt: now, erasedById: actor.user!.id } };
}
