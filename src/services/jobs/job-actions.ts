import { forbidden, invalidParam } from '../../errors/api-error.js';
import { rejectIfArtifactsSizeRefreshing } from '../projects/project-statistics.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import { AccessLevel } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { projectAccessLevel } from '../access/memberships.js';
import { jobAbilities, projectAbilitiesOf, type JobAbility, type JobFacts, type ProjectAbility } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { cancelJob, playJob, retryJob } from '../pipelines/pipeline-actions.js';
import { COMPLETED_STATUSES, type JobStatus } from '../pipelines/status/job-status.js';
import { authorizeProject } from '../projects/projects.js';
import { matchesBranchPattern } from '../repositories/branch-patterns.js';
import { findProjectJob } from './jobs-query.js';
import { deleteTrace, traceSize } from '../traces/traces.js';

/**
 * The facts BuildPolicy needs about one job: whether its ref is a protected branch, whether the caller may
 * push or merge there (GitLab's `can_update_branch?`: any matching rule that lets their level push or
 * merge; `0` lets no one), and whether they triggered it. Conveyor has no protected tags, so a tag's ref is
 * unprotected; administrators pass branch protection as they do for pushes (`pushRulesFor`).
 */
export async function jobFacts(ctx: ServiceContext, actor: Actor, project: Project, job: Job): Promise<JobFacts> {
  const ownerOfJob = actor.user !== null && job.userId === actor.user.id;
  const rules = job.tag ? [] : (await ctx.store.protectedBranches.listByProject(project.id)).filter((b) => matchesBranchPattern(b.name, job.ref));
  if (rules.length === 0) return { protectedRef: false, canUpdateRef: true, ownerOfJob };
  if (actor.user?.isAdmin) return { protectedRef: true, canUpdateRef: true, ownerOfJob };
  const level = await projectAccessLevel(ctx, actor, project);
  const allows = (required: number) => required !== AccessLevel.NO_ACCESS && level >= required;
  return { protectedRef: true, canUpdateRef: rules.some((b) => allows(b.pushAccessLevel) || allows(b.mergeAccessLevel)), ownerOfJob };
}

/**
 * GitLab's order of checks (jobs.rb): the project-level ability (403) before the job lookup (404), then
 * the job's own ability from BuildPolicy (403); state checks come after, in the callers.
 */
async function authorizeJob(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  jobId: number,
  abilities: { project: ProjectAbility; job: JobAbility; processable?: boolean },
) {
  const project = await authorizeProject(ctx, actor, idOrPath, abilities.project);
  const job = await findProjectJob(ctx, project, jobId, { processable: abilities.processable });
  const allowed = jobAbilities(await projectAbilitiesOf(ctx, actor, project), await jobFacts(ctx, actor, project, job));
  if (!allowed.has(abilities.job)) throw forbidden();
  return { project, job };
}

export async function cancelJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, { project: 'cancel_build', job: 'cancel_build' });
  return { project, job: await cancelJob(ctx, job) };
}

export async function retryJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, { project: 'update_build', job: 'update_build', processable: true });
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
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, { project: 'read_build', job: 'play_job', processable: true });
  return { project, job: await playJob(ctx, job, actor.user!.id, variables) };
}

/**
 * Erase: Maintainers erase any finished job; Developers only the ones they triggered, on unprotected refs.
 * A job is erasable when finished and it still has artifacts or a log.
 */
export async function eraseJobAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number) {
  const { project, job } = await authorizeJob(ctx, actor, idOrPath, jobId, { project: 'update_build', job: 'erase_build' });
  const artifacts = (await ctx.store.jobArtifacts.listByJobs([job.id])).get(job.id) ?? [];
  const hasLog = (await traceSize(ctx, job.id)) > 0;
  if (!COMPLETED_STATUSES.includes(job.status as JobStatus) || job.erasedAt !== null || (artifacts.length === 0 && !hasLog)) {
    throw forbidden('Job is not erasable!');
  }
  await rejectIfArtifactsSizeRefreshing(ctx, project.id);
  const now = isoNow(ctx);
  await ctx.store.transaction(async (store) => {
    await store.jobArtifacts.deleteByJob(job.id);
    // GitLab's BuildEraseService clears the job's artifacts_expire_at with the artifacts.
    await store.jobArtifacts.setJobExpiry(job.id, null);
    await store.jobTraces.delete(job.id);
    await store.jobs.update(job.id, { erasedAt: now, erasedById: actor.user!.id, updatedAt: now });
  });
  if (hasLog) await deleteTrace(ctx, job.id);
  ctx.events.emit('job-erased', { jobId: job.id, projectId: job.projectId, artifacts: artifacts.map((a) => a.blobKey).filter((k): k is string => k !== null) });
  return { project, job: { ...job, erasedAt: now, erasedById: actor.user!.id, artifactsExpireAt: null } };
}
