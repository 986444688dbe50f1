import type { ServiceContext } from '../context.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Project, ProjectVisibility } from '../../store/projects-repository.js';
import { AccessLevel } from './access-level.js';
import type { Actor } from './actor.js';

/** A user's direct memberships, loaded once per request and shared by every policy question it asks. */
export interface MembershipIndex {
  projectLevels: Map<number, number>;
  namespaceLevels: Map<number, number>;
}

const cache = new WeakMap<Actor, Promise<MembershipIndex>>();

export function membershipsOf(ctx: ServiceContext, actor: Actor): Promise<MembershipIndex> {
  let found = cache.get(actor);
  if (!found) {
    found = loadMemberships(ctx, actor);
    cache.set(actor, found);
  }
  return found;
}

async function loadMemberships(ctx: ServiceContext, actor: Actor): Promise<MembershipIndex> {
  const index: MembershipIndex = { projectLevels: new Map(), namespaceLevels: new Map() };
  if (!actor.user) return index;
  const today = isoDate(ctx.clock.now());
  for (const m of await ctx.store.members.listByUser(actor.user.id)) {
    if (m.expiresAt !== null && m.expiresAt < today) continue;
    const levels = m.source.type === 'project' ? index.projectLevels : index.namespaceLevels;
    levels.set(m.source.id, Math.max(levels.get(m.source.id) ?? 0, m.accessLevel));
  }
  const own = await ctx.store.namespaces.findUserNamespace(actor.user.id);
  if (own) index.namespaceLevels.set(own.id, AccessLevel.OWNER);
  return index;
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The highest level held on the namespace or any of its ancestors (memberships inherit downwards). */
export async function namespaceAccessLevel(ctx: ServiceContext, actor: Actor, namespace: Namespace): Promise<number> {
  if (!actor.user) return AccessLevel.NO_ACCESS;
  if (actor.user.isAdmin) return AccessLevel.OWNER;
  const index = await membershipsOf(ctx, actor);
  let level: number = AccessLevel.NO_ACCESS;
  for (const ns of await ctx.store.namespaces.ancestry(namespace.id)) {
    level = Math.max(level, index.namespaceLevels.get(ns.id) ?? 0);
  }
  return level;
}

export async function projectAccessLevel(ctx: ServiceContext, actor: Actor, project: Project): Promise<number> {
  if (!actor.user) return AccessLevel.NO_ACCESS;
  if (actor.user.isAdmin) return AccessLevel.OWNER;
  const index = await membershipsOf(ctx, actor);
  const direct = index.projectLevels.get(project.id) ?? 0;
  const namespace = await ctx.store.namespaces.findById(project.namespaceId);
  const inherited = namespace ? await namespaceAccessLevel(ctx, actor, namespace) : 0;
  return Math.max(direct, inherited);
}

/** The projects an actor may see, as a filter a list query can apply; undefined means all (admins). */
export async function visibleProjects(ctx: ServiceContext, actor: Actor): Promise<ProjectVisibility | undefined> {
  if (actor.user?.isAdmin) return undefined;
  const index = await membershipsOf(ctx, actor);
  const memberNamespaces = [...index.namespaceLevels.keys()];
  return {
    projectIds: [...index.projectLevels.keys()],
    namespaceIds: [...memberNamespaces, ...(await ctx.store.namespaces.descendantIds(memberNamespaces))],
    visibilities: actor.user ? ['public', 'internal'] : ['public'],
  };
}

/** Projects the actor is a member of, directly or through a group (what `membership=true` means). */
export async function memberProjects(ctx: ServiceContext, actor: Actor): Promise<{ projectIds: number[]; namespaceIds: number[] }> {
  const index = await membershipsOf(ctx, actor);
  const memberNamespaces = [...index.namespaceLevels.keys()];
  return {
    projectIds: [...index.projectLevels.keys()],
    namespaceIds: [...memberNamespaces, ...(await ctx.store.namespaces.descendantIds(memberNamespaces))],
  };
}

/**
 * Namespaces where the actor's own memberships give at least `minLevel`, with every namespace below them
 * (memberships inherit downwards). Admin rights are not memberships: GitLab's "owned" and "authorized"
 * lists (a user's runners, the projects a runner's jobs may be shown from) count memberships only.
 */
export async function namespaceIdsWithLevel(ctx: ServiceContext, actor: Actor, minLevel: number): Promise<number[]> {
  const index = await membershipsOf(ctx, actor);
  const roots = [...index.namespaceLevels].filter(([, level]) => level >= minLevel).map(([id]) => id);
  if (roots.length === 0) return [];
  return [...new Set([...roots, ...(await ctx.store.namespaces.descendantIds(roots))])];
}

/** Projects where the actor's own memberships (on the project or an enclosing namespace) give at least `minLevel`. */
export async function projectIdsWithLevel(ctx: ServiceContext, actor: Actor, minLevel: number): Promise<number[]> {
  const index = await membershipsOf(ctx, actor);
  const direct = [...index.projectLevels].filter(([, level]) => level >= minLevel).map(([id]) => id);
  const inNamespaces = await ctx.store.projects.idsInNamespaces(await namespaceIdsWithLevel(ctx, actor, minLevel));
  return [...new Set([...direct, ...inNamespaces])];
}
