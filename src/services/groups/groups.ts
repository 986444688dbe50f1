import { ApiError, forbidden, modelInvalid, notFound } from '../../errors/api-error.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Page, PageRequest } from '../../store/page.js';
import { AccessLevel } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { canOnGroup, type GroupAbility } from '../access/group-policy.js';
import { membershipsOf } from '../access/memberships.js';
import { isoNow, type ServiceContext } from '../context.js';
import { validatePath } from '../projects/paths.js';
import { checkVisibilityAllowed, type Visibility } from '../projects/visibility.js';

/** Ruby's `Hash#inspect` of ActiveModel errors: `{:path=>["has already been taken"]}`. */
function rubyInspect(errors: Record<string, string[]>): string {
  return `{${Object.entries(errors).map(([key, list]) => `:${key}=>[${list.map((m) => JSON.stringify(m)).join(', ')}]`).join(', ')}}`;
}

/** A group by id or full path that the actor may see; otherwise 404 Group Not Found. */
export async function findGroup(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Namespace> {
  const group = /^\d+$/.test(idOrPath)
    ? Number(idOrPath) < 2 ** 31 ? await ctx.store.namespaces.findById(Number(idOrPath)) : undefined
    : await ctx.store.namespaces.findByFullPath(idOrPath);
  if (!group || group.kind !== 'group' || !(await canOnGroup(ctx, actor, 'read_group', group))) throw notFound('Group');
  return group;
}

export async function authorizeGroup(ctx: ServiceContext, actor: Actor, idOrPath: string, ability: GroupAbility): Promise<Namespace> {
  const group = await findGroup(ctx, actor, idOrPath);
  if (!(await canOnGroup(ctx, actor, ability, group))) throw forbidden();
  return group;
}

export interface NewGroupInput {
  name: string;
  path: string;
  parent_id?: number;
  visibility?: Visibility;
  description?: string;
}

export async function createGroup(ctx: ServiceContext, actor: Actor, input: NewGroupInput): Promise<Namespace> {
  let parent: Namespace | null = null;
  if (input.parent_id !== undefined) {
    parent = (await ctx.store.namespaces.findById(input.parent_id)) ?? null;
    if (!parent || parent.kind !== 'group' || !(await canOnGroup(ctx, actor, 'read_group', parent))) throw notFound('Group');
    if (!(await canOnGroup(ctx, actor, 'create_subgroup', parent))) throw forbidden();
  }
  const visibility = input.visibility ?? 'private';
  const errors: Record<string, string[]> = {};
  if (!input.name.trim()) errors.name = ["can't be blank"];
  const pathProblem = validatePath(input.path);
  if (pathProblem) errors.path = [pathProblem];
  const visibilityProblem = checkVisibilityAllowed(visibility, parent);
  if (visibilityProblem) errors.visibility_level = [visibilityProblem];
  const fullPath = parent ? `${parent.fullPath}/${input.path}` : input.path;
  if (!pathProblem && (await ctx.store.namespaces.findByFullPath(fullPath))) errors.path = ['has already been taken'];
  // GitLab's groups API renders the model errors as a Ruby hash inside the message string.
  if (Object.keys(errors).length > 0) throw new ApiError(400, { message: `Failed to save group ${rubyInspect(errors)}` });
  const now = isoNow(ctx);
  return ctx.store.transaction(async (store) => {
    const group = await store.namespaces.insert({
      name: input.name,
      path: input.path,
      fullPath,
      kind: 'group',
      parentId: parent?.id ?? null,
      ownerId: null,
      visibility,
      description: input.description ?? '',
      createdAt: now,
    });
    // As in GitLab, the creator owns the group they made.
    await store.members.insert({
      source: { type: 'namespace', id: group.id },
      userId: actor.user!.id,
      accessLevel: AccessLevel.OWNER,
      expiresAt: null,
      createdById: actor.user!.id,
      createdAt: now,
    });
    return group;
  });
}

export async function listGroups(
  ctx: ServiceContext,
  actor: Actor,
  filter: { search?: string; topLevelOnly?: boolean; parentId?: number },
  page: PageRequest,
): Promise<Page<Namespace>> {
  let visibleTo: { namespaceIds: number[]; visibilities: string[] } | undefined;
  if (!actor.user?.isAdmin) {
    const index = await membershipsOf(ctx, actor);
    const direct = [...index.namespaceLevels.keys()];
    visibleTo = {
      namespaceIds: [...direct, ...(await ctx.store.namespaces.descendantIds(direct))],
      visibilities: actor.user ? ['public', 'internal'] : ['public'],
    };
  }
  return ctx.store.namespaces.listGroups({ ...filter, visibleTo }, page);
}

export function listSubgroups(ctx: ServiceContext, actor: Actor, group: Namespace, page: PageRequest): Promise<Page<Namespace>> {
  return listGroups(ctx, actor, { parentId: group.id }, page);
}

export async function updateGroup(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  input: { name?: string; description?: string; visibility?: Visibility },
): Promise<Namespace> {
  const group = await authorizeGroup(ctx, actor, idOrPath, 'admin_group');
  if (input.visibility) {
    const parent = group.parentId ? ((await ctx.store.namespaces.findById(group.parentId)) ?? null) : null;
    const problem = checkVisibilityAllowed(input.visibility, parent);
    if (problem) throw modelInvalid({ visibility_level: [problem] });
  }
  await ctx.store.namespaces.update(group.id, { name: input.name, description: input.description, visibility: input.visibility });
  return (await ctx.store.namespaces.findById(group.id))!;
}

export async function deleteGroup(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<void> {
  const group = await authorizeGroup(ctx, actor, idOrPath, 'admin_group');
  await ctx.store.transaction(async (store) => {
    const ids = [group.id, ...(await store.namespaces.descendantIds([group.id]))];
    for (const id of ids.reverse()) {
      const projects = await store.projects.list({ namespaceIds: [id] }, { kind: 'offset', offset: 0, limit: 100_000, countUpTo: null });
      for (const p of projects.rows) await store.projects.delete(p.id);
      await store.members.deleteBySource({ type: 'namespace', id });
      await store.namespaces.delete(id);
    }
  });
}
