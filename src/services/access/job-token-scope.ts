import type { Project } from '../../store/projects-repository.js';
import type { ServiceContext } from '../context.js';
import type { Actor } from './actor.js';

/**
 * GitLab's inbound CI/CD job-token scope: a job token of project A reaches project B when A is B, when B
 * does not limit job-token access, or when A is on B's allowlist.
 */
export async function jobTokenMayReach(ctx: ServiceContext, sourceProjectId: number, project: Project): Promise<boolean> {
  if (sourceProjectId === project.id) return true;
  if (!(await ctx.store.jobTokenScope.inboundEnabled(project.id))) return true;
  return ctx.store.jobTokenScope.allows(project.id, sourceProjectId);
}

/** Whether a caller is a job token its scope keeps out of `project` (other callers never are). */
export async function outsideJobTokenScope(ctx: ServiceContext, actor: Actor, project: Project): Promise<boolean> {
  return actor.jobToken !== undefined && !(await jobTokenMayReach(ctx, actor.jobToken.projectId, project));
}
