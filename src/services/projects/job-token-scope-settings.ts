import { ApiError, notFound } from '../../errors/api-error.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { isoNow, type ServiceContext } from '../context.js';
import { authorizeProject, findProject } from './projects.js';

/** `GET /projects/:id/job_token_scope` (Maintainers): whether the inbound scope is limited; no outbound scope. */
export async function jobTokenScopeOf(ctx: ServiceContext, actor: Actor, idOrPath: string) {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  return { inbound_enabled: await ctx.store.jobTokenScope.inboundEnabled(project.id), outbound_enabled: false };
}

export async function setJobTokenScope(ctx: ServiceContext, actor: Actor, idOrPath: string, enabled: boolean): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  await ctx.store.jobTokenScope.setInboundEnabled(project.id, enabled);
}

/** The projects whose job tokens may reach this one: itself first, then the allowlist in the order added. */
export async function jobTokenAllowlist(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Project[]> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  const ids = await ctx.store.jobTokenScope.allowedProjectIds(project.id);
  const others = await Promise.all(ids.map((id) => ctx.store.projects.findById(id)));
  return [project, ...others.filter((p): p is Project => p !== undefined)];
}

/** Adds a project the caller can see (404 otherwise) to the allowlist; 400 when it is already there. */
export async function addToJobTokenAllowlist(ctx: ServiceContext, actor: Actor, idOrPath: string, targetId: number) {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  const target = await findProject(ctx, actor, String(targetId));
  if (target.id === project.id || !(await ctx.store.jobTokenScope.add(project.id, target.id, isoNow(ctx)))) {
    throw new ApiError(400, { message: 'Target project is already in the job token scope' });
  }
  return { source_project_id: project.id, target_project_id: target.id };
}

export async function removeFromJobTokenAllowlist(ctx: ServiceContext, actor: Actor, idOrPath: string, targetId: number): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  if (!(await ctx.store.jobTokenScope.remove(project.id, targetId))) throw notFound();
}
