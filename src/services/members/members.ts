import { ApiError, conflict, forbidden, invalidParam, notFound } from '../../errors/api-error.js';
import type { Member, MemberSource } from '../../store/members-repository.js';
import { pageOfArray, type Page, type PageRequest } from '../../store/page.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { User } from '../../store/users-repository.js';
import { AccessLevel, GRANTABLE_LEVELS } from '../access/access-level.js';
import type { Actor } from '../access/actor.js';
import { canOnGroup } from '../access/group-policy.js';
import { namespaceAccessLevel, projectAccessLevel } from '../access/memberships.js';
import { can } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { findGroup } from '../groups/groups.js';
import { findProject } from '../projects/projects.js';

/** Members of a project or a group: the thing members hang off, resolved with its policy. */
export type MemberTarget = { kind: 'project'; project: Project } | { kind: 'group'; group: Namespace };

export interface MemberWithUser {
  member: Member;
  user: User;
}

export async function resolveTarget(ctx: ServiceContext, actor: Actor, kind: 'project' | 'group', idOrPath: string): Promise<MemberTarget> {
  return kind === 'project'
    ? { kind, project: await findProject(ctx, actor, idOrPath) }
    : { kind, group: await findGroup(ctx, actor, idOrPath) };
}

function sourceOf(target: MemberTarget): MemberSource {
  return target.kind === 'project' ? { type: 'project', id: target.project.id } : { type: 'namespace', id: target.group.id };
}

async function callerLevel(ctx: ServiceContext, actor: Actor, target: MemberTarget): Promise<number> {
  return target.kind === 'project' ? projectAccessLevel(ctx, actor, target.project) : namespaceAccessLevel(ctx, actor, target.group);
}

async function requireAdmin(ctx: ServiceContext, actor: Actor, target: MemberTarget): Promise<void> {
  const allowed = target.kind === 'project'
    ? await can(ctx, actor, 'admin_project_member', target.project)
    : await canOnGroup(ctx, actor, 'admin_group_member', target.group);
  if (!allowed) throw forbidden();
}

async function withUsers(ctx: ServiceContext, members: Member[]): Promise<MemberWithUser[]> {
  const users = await ctx.store.users.findByIds(members.map((m) => m.userId));
  return members.flatMap((member) => {
    const user = users.get(member.userId);
    return user ? [{ member, user }] : [];
  });
}

export async function listDirectMembers(ctx: ServiceContext, target: MemberTarget, query?: string): Promise<MemberWithUser[]> {
  const found = await withUsers(ctx, await ctx.store.members.listBySources([sourceOf(target)]));
  return filterByQuery(found, query);
}

/** Direct members plus those inherited from every ancestor group, each user once at their highest level. */
export async function listAllMembers(ctx: ServiceContext, target: MemberTarget, query?: string): Promise<MemberWithUser[]> {
  const namespaceId = target.kind === 'project' ? target.project.namespaceId : target.group.id;
  const ancestry = await ctx.store.namespaces.ancestry(namespaceId);
  const sources: MemberSource[] = [
    ...(target.kind === 'project' ? [sourceOf(target)] : []),
    ...ancestry.map((ns) => ({ type: 'namespace' as const, id: ns.id })),
  ];
  const best = new Map<number, Member>();
  for (const m of await ctx.store.members.listBySources(sources)) {
    const seen = best.get(m.userId);
    if (!seen || m.accessLevel > seen.accessLevel) best.set(m.userId, m);
  }
  // A personal namespace's owner owns its projects, as GitLab shows them in members/all.
  const userNamespace = ancestry.find((ns) => ns.kind === 'user');
  if (userNamespace?.ownerId && !best.has(userNamespace.ownerId)) {
    best.set(userNamespace.ownerId, {
      id: 0,
      source: { type: 'namespace', id: userNamespace.id },
      userId: userNamespace.ownerId,
      accessLevel: AccessLevel.OWNER,
      expiresAt: null,
      createdById: null,
      createdAt: userNamespace.createdAt,
    });
  }
  const members = [...best.values()].sort((a, b) => a.userId - b.userId);
  return filterByQuery(await withUsers(ctx, members), query);
}

/** A page of direct or inherited members; member lists are small, so they are paged in memory. */
export async function listMembersPage(
  ctx: ServiceContext,
  target: MemberTarget,
  options: { inherited: boolean; query?: string },
  page: PageRequest,
): Promise<Page<MemberWithUser & { id: number }>> {
  const all = options.inherited ? await listAllMembers(ctx, target, options.query) : await listDirectMembers(ctx, target, options.query);
  return pageOfArray(all.map((m) => ({ ...m, id: m.user.id })), page);
}

/** The users who granted these memberships, for `created_by`, in one query. */
export function memberCreators(ctx: ServiceContext, members: MemberWithUser[]): Promise<Map<number, User>> {
  return ctx.store.users.findByIds(members.map((m) => m.member.createdById).filter((id): id is number => id !== null));
}

function filterByQuery(members: MemberWithUser[], query?: string): MemberWithUser[] {
  if (!query) return members;
  const q = query.toLowerCase();
  return members.filter(({ user }) => user.username.toLowerCase().includes(q) || user.name.toLowerCase().includes(q));
}

export async function findMember(ctx: ServiceContext, target: MemberTarget, userId: number, inherited: boolean): Promise<MemberWithUser> {
  const list = inherited ? await listAllMembers(ctx, target) : await listDirectMembers(ctx, target);
  const found = list.find((m) => m.user.id === userId);
  if (!found) throw notFound('Member');
  return found;
}

function checkLevel(level: number): void {
  if (!GRANTABLE_LEVELS.includes(level)) throw invalidParam('access_level', 'does not have a valid value');
}

async function checkGrant(ctx: ServiceContext, actor: Actor, target: MemberTarget, level: number): Promise<void> {
  checkLevel(level);
  if (level > (await callerLevel(ctx, actor, target))) throw forbidden();
}

export async function addMember(
  ctx: ServiceContext,
  actor: Actor,
  target: MemberTarget,
  input: { user_id: number; access_level: number; expires_at?: string },
): Promise<MemberWithUser> {
  await requireAdmin(ctx, actor, target);
  await checkGrant(ctx, actor, target, input.access_level);
  const user = await ctx.store.users.findById(input.user_id);
  if (!user) throw notFound('User');
  if (await ctx.store.members.find(sourceOf(target), user.id)) throw conflict('Member already exists');
  const member = await ctx.store.members.insert({
    source: sourceOf(target),
    userId: user.id,
    accessLevel: input.access_level,
    expiresAt: input.expires_at ?? null,
    createdById: actor.user!.id,
    createdAt: isoNow(ctx),
  });
  return { member, user };
}

export async function updateMember(
  ctx: ServiceContext,
  actor: Actor,
  target: MemberTarget,
  userId: number,
  input: { access_level: number; expires_at?: string },
): Promise<MemberWithUser> {
  await requireAdmin(ctx, actor, target);
  const existing = await ctx.store.members.find(sourceOf(target), userId);
  if (!existing) throw notFound('Member');
  await checkGrant(ctx, actor, target, input.access_level);
  await ctx.store.members.update(existing.id, { accessLevel: input.access_level, expiresAt: input.expires_at });
  return findMember(ctx, target, userId, false);
}

export async function removeMember(ctx: ServiceContext, actor: Actor, target: MemberTarget, userId: number): Promise<void> {
  const existing = await ctx.store.members.find(sourceOf(target), userId);
  const removingSelf = actor.user?.id === userId;
  if (!removingSelf) await requireAdmin(ctx, actor, target);
  if (!existing) throw notFound('Member');
  if (existing.accessLevel === AccessLevel.OWNER && target.kind === 'group') {
    const owners = (await ctx.store.members.listBySources([sourceOf(target)])).filter((m) => m.accessLevel === AccessLevel.OWNER);
    if (owners.length <= 1) throw new ApiError(403, { message: '403 Forbidden - A group must have at least one owner' });
  }
  await ctx.store.members.delete(existing.id);
}

