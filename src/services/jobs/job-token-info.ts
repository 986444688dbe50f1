import { notFound, unauthorized } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import { AccessLevel } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { projectAccessLevel } from '../access/memberships.js';
import type { ServiceContext } from '../context.js';

/** `GET /job`: the job whose token authenticated the call; a personal token finds no job (404), nothing at all is 401. */
export async function jobOfToken(ctx: ServiceContext, actor: Actor): Promise<{ project: Project; job: Job }> {
  if (!actor.jobToken) {
    if (actor.user) throw notFound('Job');
    throw unauthorized();
  }
  const job = await ctx.store.jobs.findById(actor.jobToken.jobId);
  const project = await ctx.store.projects.findById(actor.jobToken.projectId);
  if (!job || !project) throw unauthorized();
  return { project, job };
}

const ROLE_NAMES: Array<[number, string]> = [
  [AccessLevel.GUEST, 'guest'],
  [AccessLevel.PLANNER, 'planner'],
  [AccessLevel.REPORTER, 'reporter'],
  [AccessLevel.DEVELOPER, 'developer'],
  [AccessLevel.MAINTAINER, 'maintainer'],
  [AccessLevel.OWNER, 'owner'],
];

/** GitLab's Environment#guess_tier: the tier a name suggests when `deployment_tier` is not set. */
export function guessTier(name: string): string {
  const n = name.toLowerCase();
  if (/(^|\W|_)(prod|production|live)(\W|_|$)/.test(n)) return 'production';
  if (/(^|\W|_)(stag|staging|model|pre|demo)/.test(n)) return 'staging';
  if (/(^|\W|_)(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/.test(n)) return 'testing';
  if (/(^|\W|_)(dev|review|trunk)/.test(n)) return 'development';
  return 'other';
}

/** `GET /job/allowed_agents`: Conveyor has no Kubernetes agents, so the list is empty; the context is GitLab's. */
export async function allowedAgents(ctx: ServiceContext, actor: Actor) {
  const { project, job } = await jobOfToken(ctx, actor);
  const level = await projectAccessLevel(ctx, { ...actor, user: actor.user ? { ...actor.user, isAdmin: false } : null }, project);
  const ancestry = await ctx.store.namespaces.ancestry(project.namespaceId);
  const environment = job.spec.environment;
  return {
    allowed_agents: [],
    job: { id: job.id },
    pipeline: { id: job.pipelineId },
    project: { id: project.id, groups: ancestry.filter((ns) => ns.kind === 'group').reverse().map((ns) => ({ id: ns.id })) },
    user: { id: actor.user!.id, username: actor.user!.username, roles_in_project: ROLE_NAMES.filter(([l]) => l <= level).map(([, name]) => name) },
    ...(environment ? { environment: { slug: environment.name.toLowerCase().replace(/[^a-z0-9]/g, '-'), tier: environment.deployment_tier ?? guessTier(environment.name) } } : {}),
  };
}
