import { conflict, invalidParam, recordNotFound } from '../../errors/api-error.js';
import { pageOfArray, type Page, type PageRequest } from '../../store/page.js';
import type { Project } from '../../store/projects-repository.js';
import type { ProtectedBranch } from '../../store/protected-branches-repository.js';
import { AccessLevel } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { projectAccessLevel } from '../access/memberships.js';
import { isoNow, type ServiceContext } from '../context.js';
import { authorizeProject } from '../projects/projects.js';
import { isValidBranchPattern, matchesBranchPattern } from './branch-patterns.js';

/** The levels GitLab's API accepts for push and merge: no one, developers and maintainers, maintainers. */
export const PROTECTED_BRANCH_LEVELS: readonly number[] = [AccessLevel.NO_ACCESS, AccessLevel.DEVELOPER, AccessLevel.MAINTAINER];

export async function listProtectedBranches(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  search: string | undefined,
  page: PageRequest,
): Promise<Page<ProtectedBranch>> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'download_code');
  // A project has a handful of rules: filter and page them in memory.
  const branches = await ctx.store.protectedBranches.listByProject(project.id);
  const term = search?.toLowerCase();
  return pageOfArray(term ? branches.filter((b) => b.name.toLowerCase().includes(term)) : branches, page);
}

export async function findProtectedBranch(ctx: ServiceContext, actor: Actor, idOrPath: string, name: string): Promise<ProtectedBranch> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'download_code');
  const branch = await ctx.store.protectedBranches.find(project.id, name);
  if (!branch) throw recordNotFound();
  return branch;
}

export interface ProtectBranchInput {
  name: string;
  push_access_level?: number;
  merge_access_level?: number;
  allow_force_push?: boolean;
}

export async function protectBranch(ctx: ServiceContext, actor: Actor, idOrPath: string, input: ProtectBranchInput): Promise<ProtectedBranch> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  if (!isValidBranchPattern(input.name)) throw invalidParam('name');
  const exists = () => conflict(`Protected branch '${input.name}' already exists`);
  if (await ctx.store.protectedBranches.find(project.id, input.name)) throw exists();
  try {
    return await ctx.store.protectedBranches.insert({
      projectId: project.id,
      name: input.name,
      pushAccessLevel: input.push_access_level ?? AccessLevel.MAINTAINER,
      mergeAccessLevel: input.merge_access_level ?? AccessLevel.MAINTAINER,
      allowForcePush: input.allow_force_push ?? false,
      createdAt: isoNow(ctx),
    });
  } catch (error) {
    // Two requests protecting one name at once: the unique index lets one win.
    if (await ctx.store.protectedBranches.find(project.id, input.name)) throw exists();
    throw error;
  }
}

export async function unprotectBranch(ctx: ServiceContext, actor: Actor, idOrPath: string, name: string): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  const branch = await ctx.store.protectedBranches.find(project.id, name);
  if (!branch) throw recordNotFound();
  await ctx.store.protectedBranches.delete(branch.id);
}

/** Whether a branch is protected (a pipeline on it is a protected ref and sees protected variables). */
export async function isProtectedBranch(ctx: ServiceContext, projectId: number, branch: string): Promise<boolean> {
  const branches = await ctx.store.protectedBranches.listByProject(projectId);
  return branches.some((b) => matchesBranchPattern(b.name, branch));
}

/** Which protected patterns one pusher may change, for the pre-receive hook. */
export interface PushRules {
  protectedPatterns: string[];
  pushAllowed: string[];
  forcePushAllowed: string[];
}

/**
 * A pusher may push to a protected branch when any rule matching it lets their level push (GitLab
 * checks the matching rules with `any?`); `0` lets no one but administrators push.
 */
export async function pushRulesFor(ctx: ServiceContext, actor: Actor, project: Project): Promise<PushRules> {
  const branches = await ctx.store.protectedBranches.listByProject(project.id);
  const level = await projectAccessLevel(ctx, actor, project);
  const admin = actor.user?.isAdmin === true;
  const mayPush = (b: ProtectedBranch) => admin || (b.pushAccessLevel !== AccessLevel.NO_ACCESS && level >= b.pushAccessLevel);
  return {
    protectedPatterns: branches.map((b) => b.name),
    pushAllowed: branches.filter(mayPush).map((b) => b.name),
    forcePushAllowed: branches.filter((b) => b.allowForcePush).map((b) => b.name),
  };
}
