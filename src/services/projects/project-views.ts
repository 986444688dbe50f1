import type { Namespace } from '../../store/namespaces-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { User } from '../../store/users-repository.js';
import type { Actor } from '../access/actor.js';
import { AccessLevel } from '../access/access-level.js';
import { membershipsOf } from '../access/memberships.js';
import type { ServiceContext } from '../context.js';

/** What the Project entity needs beside the row, loaded for a whole page in a few queries. */
export interface ProjectViewData {
  project: Project;
  namespaceChain: Namespace[];
  owner: User | null;
  permissions?: { projectAccess: number | null; groupAccess: number | null };
}

/** Loads namespaces (with ancestors) and owners for many projects: one query per level of nesting, never one per row. */
export async function loadNamespaceChains(ctx: ServiceContext, namespaceIds: number[]): Promise<Map<number, Namespace[]>> {
  const known = new Map<number, Namespace>();
  let missing = [...new Set(namespaceIds)];
  while (missing.length > 0) {
    const found = await ctx.store.namespaces.findByIds(missing);
    for (const ns of found.values()) known.set(ns.id, ns);
    missing = [...found.values()].map((ns) => ns.parentId).filter((id): id is number => id !== null && !known.has(id));
  }
  const chains = new Map<number, Namespace[]>();
  for (const id of new Set(namespaceIds)) {
    const chain: Namespace[] = [];
    for (let ns = known.get(id); ns && chain.length < 32; ns = ns.parentId === null ? undefined : known.get(ns.parentId)) chain.push(ns);
    chains.set(id, chain);
  }
  return chains;
}

export async function projectViews(ctx: ServiceContext, projects: Project[]): Promise<ProjectViewData[]> {
  const chains = await loadNamespaceChains(ctx, projects.map((p) => p.namespaceId));
  const ownerIds = [...chains.values()].map((c) => c[0]).filter((ns) => ns?.kind === 'user' && ns.ownerId !== null).map((ns) => ns!.ownerId!);
  const owners = await ctx.store.users.findByIds(ownerIds);
  return projects.map((project) => {
    const namespaceChain = chains.get(project.namespaceId) ?? [];
    const head = namespaceChain[0];
    const owner = head?.kind === 'user' && head.ownerId !== null ? (owners.get(head.ownerId) ?? null) : null;
    return { project, namespaceChain, owner };
  });
}

/** One project with the caller's `permissions` block, as `GET /projects/:id` shows it (their own memberships, not admin rights). */
export async function projectViewWithPermissions(ctx: ServiceContext, actor: Actor, project: Project): Promise<ProjectViewData> {
  const [view] = await projectViews(ctx, [project]);
  if (!actor.user) return { ...view, permissions: { projectAccess: null, groupAccess: null } };
  const index = await membershipsOf(ctx, actor);
  const head = view.namespaceChain[0];
  const ownsNamespace = head?.kind === 'user' && head.ownerId === actor.user.id;
  const groupLevel = Math.max(0, ...view.namespaceChain.filter((ns) => ns.kind === 'group').map((ns) => index.namespaceLevels.get(ns.id) ?? 0));
  return {
    ...view,
    permissions: {
      projectAccess: index.projectLevels.get(project.id) ?? (ownsNamespace ? AccessLevel.OWNER : null),
      groupAccess: groupLevel > 0 ? groupLevel : null,
    },
  };
}
