import { forbidden, invalidParam, modelInvalid, notFound } from '../../errors/api-error.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { Project, ProjectChanges } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { canOnGroup } from '../access/group-policy.js';
import { memberProjects, visibleProjects } from '../access/memberships.js';
import { can, type ProjectAbility } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { createRepository, removeRepository } from '../repositories/repositories.js';
import { pathFromName, validatePath } from './paths.js';
import { checkVisibilityAllowed, type Visibility } from './visibility.js';

/**
 * Finds a project by numeric id or full path (`acme/platform/api`) that the actor may read.
 * Missing and invisible projects look the same to the caller: 404 Project Not Found.
 */
export async function findProject(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Project> {
  let project: Project | undefined;
  if (/^-?\d+$/.test(idOrPath)) {
    const id = Number(idOrPath);
    project = Number.isSafeInteger(id) && id > 0 && id < 2 ** 31 ? await ctx.store.projects.findById(id) : undefined;
  } else if (idOrPath.includes('/')) {
    project = await ctx.store.projects.findByFullPath(idOrPath);
  }
  if (!project || !(await can(ctx, actor, 'read_project', project))) throw notFound('Project');
  return project;
}

/** Finds a readable project and requires one more ability (403 when missing). */
export async function authorizeProject(ctx: ServiceContext, actor: Actor, idOrPath: string, ability: ProjectAbility): Promise<Project> {
  const project = await findProject(ctx, actor, idOrPath);
  if (!(await can(ctx, actor, ability, project))) throw forbidden();
  return project;
}

export interface NewProjectInput {
  name?: string;
  path?: string;
  namespace_id?: string;
  visibility?: Visibility;
  default_branch?: string;
  description?: string;
  public_jobs?: boolean;
  public_builds?: boolean;
  ci_config_path?: string;
}

async function targetNamespace(ctx: ServiceContext, actor: Actor, namespaceId: string | undefined): Promise<Namespace> {
  const user = actor.user!;
  if (namespaceId === undefined) {
    const own = await ctx.store.namespaces.findUserNamespace(user.id);
    if (!own) throw notFound('Namespace');
    return own;
  }
  const namespace = /^\d+$/.test(namespaceId)
    ? Number(namespaceId) < 2 ** 31 ? await ctx.store.namespaces.findById(Number(namespaceId)) : undefined
    : await ctx.store.namespaces.findByFullPath(namespaceId);
  if (!namespace) throw notFound('Namespace');
  const allowed = namespace.kind === 'user'
    ? namespace.ownerId === user.id || user.isAdmin
    : await canOnGroup(ctx, actor, 'create_projects', namespace);
  if (!allowed) {
    if (namespace.kind === 'group' && !(await canOnGroup(ctx, actor, 'read_group', namespace))) throw notFound('Namespace');
    throw forbidden('Namespace is not valid');
  }
  return namespace;
}

export async function createProject(ctx: ServiceContext, actor: Actor, input: NewProjectInput): Promise<Project> {
  if (!input.name && !input.path) throw invalidParam('name, path', 'are missing, at least one parameter must be provided');
  const namespace = await targetNamespace(ctx, actor, input.namespace_id);
  const path = input.path ?? pathFromName(input.name!);
  const name = input.name ?? input.path!;
  const visibility = input.visibility ?? 'private';
  const errors: Record<string, string[]> = {};
  const pathProblem = validatePath(path);
  if (pathProblem) errors.path = [pathProblem];
  const visibilityProblem = checkVisibilityAllowed(visibility, namespace);
  if (visibilityProblem) errors.visibility_level = [visibilityProblem];
  const fullPath = `${namespace.fullPath}/${path}`;
  if (!pathProblem && (await ctx.store.projects.findByFullPath(fullPath))) {
    errors.path = ['has already been taken'];
    errors.name = ['has already been taken'];
  }
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  const now = isoNow(ctx);
  const project = await ctx.store.projects.insert({
    namespaceId: namespace.id,
    name,
    path,
    fullPath,
    description: input.description ?? '',
    visibility,
    defaultBranch: input.default_branch ?? null,
    publicJobs: input.public_jobs ?? input.public_builds ?? true,
    ciConfigPath: input.ci_config_path || null,
    creatorId: actor.user!.id,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
  });
  // No project without its repository: the row goes again when git cannot create one.
  await createRepository(ctx, project).catch(async (error: unknown) => {
    await ctx.store.projects.delete(project.id);
    throw error;
  });
  return project;
}

export interface ProjectListFilter {
  search?: string;
  visibility?: string;
  membership?: boolean;
  owned?: boolean;
  id_after?: number;
  id_before?: number;
}

export async function listProjects(ctx: ServiceContext, actor: Actor, filter: ProjectListFilter, page: PageRequest): Promise<Page<Project>> {
  let memberOf: { projectIds: number[]; namespaceIds: number[] } | undefined;
  if (actor.user && (filter.membership || filter.owned)) {
    if (filter.owned) {
      const own = await ctx.store.namespaces.findUserNamespace(actor.user.id);
      memberOf = { projectIds: [], namespaceIds: own ? [own.id] : [] };
    } else {
      memberOf = await memberProjects(ctx, actor);
    }
  }
  return ctx.store.projects.list(
    {
      search: filter.search,
      visibility: filter.visibility,
      visibleTo: await visibleProjects(ctx, actor),
      memberOf,
      idAfter: filter.id_after,
      idBefore: filter.id_before,
    },
    page,
  );
}

/** Projects of a group (and with `includeSubgroups`, of its descendants) the actor may see. */
export async function listNamespaceProjects(
  ctx: ServiceContext,
  actor: Actor,
  group: Namespace,
  options: { includeSubgroups: boolean; search?: string; visibility?: string; idAfter?: number; idBefore?: number },
  page: PageRequest,
): Promise<Page<Project>> {
  const namespaceIds = [group.id, ...(options.includeSubgroups ? await ctx.store.namespaces.descendantIds([group.id]) : [])];
  return ctx.store.projects.list(
    {
      namespaceIds,
      search: options.search,
      visibility: options.visibility,
      visibleTo: await visibleProjects(ctx, actor),
      idAfter: options.idAfter,
      idBefore: options.idBefore,
    },
    page,
  );
}

export interface ProjectUpdateInput {
  name?: string;
  path?: string;
  description?: string;
  visibility?: Visibility;
  default_branch?: string;
  public_jobs?: boolean;
  public_builds?: boolean;
  ci_config_path?: string;
}

export async function updateProject(ctx: ServiceContext, actor: Actor, idOrPath: string, input: ProjectUpdateInput): Promise<Project> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'admin_project');
  const namespace = (await ctx.store.namespaces.findById(project.namespaceId))!;
  const changes: ProjectChanges = {};
  const errors: Record<string, string[]> = {};
  if (input.name !== undefined) {
    if (!input.name.trim()) errors.name = ["can't be blank"];
    changes.name = input.name;
  }
  if (input.path !== undefined && input.path !== project.path) {
    const problem = validatePath(input.path);
    const fullPath = `${namespace.fullPath}/${input.path}`;
    if (problem) errors.path = [problem];
    else if (await ctx.store.projects.findByFullPath(fullPath)) errors.path = ['has already been taken'];
    changes.path = input.path;
    changes.fullPath = fullPath;
  }
  if (input.visibility !== undefined) {
    const problem = checkVisibilityAllowed(input.visibility, namespace);
    if (problem) errors.visibility_level = [problem];
    changes.visibility = input.visibility;
  }
  if (Object.keys(errors).length > 0) throw modelInvalid(errors);
  if (input.description !== undefined) changes.description = input.description;
  if (input.default_branch !== undefined) changes.defaultBranch = input.default_branch;
  const publicJobs = input.public_jobs ?? input.public_builds;
  if (publicJobs !== undefined) changes.publicJobs = publicJobs;
  if (input.ci_config_path !== undefined) changes.ciConfigPath = input.ci_config_path || null;
  changes.updatedAt = isoNow(ctx);
  await ctx.store.projects.update(project.id, changes);
  // commit_count counts the default branch's commits.
  if (changes.defaultBranch !== undefined && changes.defaultBranch !== project.defaultBranch) await ctx.store.projectStatistics.repositoryChanged(project.id);
  return (await ctx.store.projects.findById(project.id))!;
}

export async function deleteProject(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<void> {
  const project = await authorizeProject(ctx, actor, idOrPath, 'remove_project');
  await ctx.store.transaction((store) => store.projects.delete(project.id));
  await removeRepository(ctx, project.id);
}
