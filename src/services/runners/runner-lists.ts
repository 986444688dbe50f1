import { ApiError, forbidden } from '../../errors/api-error.js';
import { RUNNER_ONLINE_TIMEOUT_MS, RUNNER_STALE_TIMEOUT_MS } from '../../entities/runner.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { Project } from '../../store/projects-repository.js';
import type { Runner, RunnerFilter, RunnerStatusFilter, RunnerType } from '../../store/runners-repository.js';
import { AccessLevel } from '../access/access-level.js';
import { isAdmin, type Actor } from '../access/actor.js';
import { namespaceIdsWithLevel, projectIdsWithLevel } from '../access/memberships.js';
import type { ServiceContext } from '../context.js';
import { authorizeGroup } from '../groups/groups.js';
import { authorizeProject } from '../projects/projects.js';
import { isRunnerManagerShown } from './runner-authentication.js';

export const RUNNER_TYPES = ['instance_type', 'group_type', 'project_type'] as const;
/** GitLab's AVAILABLE_STATUSES_INCL_DEPRECATED: `active` and `paused` are the deprecated two. */
export const RUNNER_STATUSES = ['active', 'paused', 'online', 'offline', 'never_contacted', 'stale'] as const;
/** GitLab's AVAILABLE_SCOPES: the deprecated `scope` parameter takes legacy types, types and statuses. */
export const RUNNER_SCOPES = ['specific', 'shared', ...RUNNER_TYPES, ...RUNNER_STATUSES] as const;

/** The list filters of GitLab's runner lists, already checked against their allowed values. */
export interface RunnerListFilters {
  /** The deprecated `scope`, one of RUNNER_SCOPES that the list allows. */
  scope?: string;
  type?: RunnerType;
  paused?: boolean;
  status?: string;
  tags?: string[];
  versionPrefix?: string;
}

/** One scope or status word as a store filter (GitLab's `filter_runners`, deprecated scopes included). */
function applyScope(filter: RunnerFilter, word: string, now: Date): RunnerFilter {
  const types: Record<string, RunnerType[]> = {
    shared: ['instance_type'], specific: ['project_type', 'group_type'],
    instance_type: ['instance_type'], group_type: ['group_type'], project_type: ['project_type'],
  };
  if (types[word]) return { ...filter, types: filter.types ? filter.types.filter((t) => types[word].includes(t)) : types[word] };
  if (word === 'active' || word === 'paused') {
    const paused = word === 'paused';
    // Two filters that disagree (`scope=paused&paused=false`) leave nothing, as GitLab's chained scopes do.
    return filter.paused !== undefined && filter.paused !== paused ? { ...filter, ids: [] } : { ...filter, paused };
  }
  const status: RunnerStatusFilter = {
    status: word as RunnerStatusFilter['status'],
    onlineAfter: new Date(now.getTime() - RUNNER_ONLINE_TIMEOUT_MS).toISOString(),
    staleBefore: new Date(now.getTime() - RUNNER_STALE_TIMEOUT_MS).toISOString(),
  };
  return { ...filter, statuses: [...(filter.statuses ?? []), status] };
}

/**
 * GitLab's `with_version_prefix`: a manager's version matches when its first one, two or three numeric
 * parts (as many as the prefix names) equal the prefix, so `15.1` finds 15.1.x and not 15.10.
 */
function versionMatcher(prefix: string): (version: string) => boolean {
  const pattern = /\d+\.\d+\.\d+/.test(prefix) ? /^\d+\.\d+\.\d+/ : /\d+\.\d+(\.)?/.test(prefix) ? /^\d+\.\d+\./ : /^\d+\./;
  const wanted = pattern.source.endsWith('\\.') && !prefix.endsWith('.') ? `${prefix}.` : prefix;
  return (version) => version.match(pattern)?.[0] === wanted;
}

/** The list's own scope (`base`) narrowed by the caller's filters, in GitLab's order: scope, type, status, paused, version, tags. */
async function storeFilter(ctx: ServiceContext, base: RunnerFilter, filters: RunnerListFilters): Promise<RunnerFilter> {
  const now = ctx.clock.now();
  let filter = base;
  for (const word of [filters.scope, filters.type, filters.status]) if (word !== undefined) filter = applyScope(filter, word, now);
  if (filters.paused !== undefined) filter = applyScope(filter, filters.paused ? 'paused' : 'active', now);
  if (filters.versionPrefix !== undefined) {
    const matches = versionMatcher(filters.versionPrefix);
    const candidates = await ctx.store.runnerManagers.versionsStartingWith(filters.versionPrefix);
    const ids = candidates.filter((m) => isRunnerManagerShown(m) && matches(m.version)).map((m) => m.runnerId);
    filter = { ...filter, ids: filter.ids ? filter.ids.filter((id) => ids.includes(id)) : [...new Set(ids)] };
  }
  // A runner holds at most 50 tags (GitLab's TAG_LIST_MAX_LENGTH): asking for more matches nothing, and one LIKE per
  // tag stays far below SQLite's expression depth limit.
  if (filters.tags && filters.tags.length > 50) filter = { ...filter, ids: [] };
  else if (filters.tags && filters.tags.length > 0) filter = { ...filter, tags: filters.tags };
  return filter;
}

/**
 * `GET /runners`: the runners the caller owns (User#ci_owned_runners), by membership alone, admins
 * included: project runners of projects where they are Maintainer or more, group runners of groups
 * (and their subgroups) they own. Instance runners never. The deprecated `scope` takes statuses only.
 */
export async function listOwnedRunners(ctx: ServiceContext, actor: Actor, filters: RunnerListFilters, page: PageRequest): Promise<Page<Runner>> {
  if (filters.scope !== undefined && !(RUNNER_STATUSES as readonly string[]).includes(filters.scope)) {
    throw new ApiError(400, { message: 'Scope contains invalid value' });
  }
  const [projectIds, groupIds] = await Promise.all([
    projectIdsWithLevel(ctx, actor, AccessLevel.MAINTAINER),
    namespaceIdsWithLevel(ctx, actor, AccessLevel.OWNER),
  ]);
  return ctx.store.runners.list(await storeFilter(ctx, { projectIds, groupIds }, filters), page);
}

/** `GET /runners/all`: every runner, for administrators only. */
export async function listAllRunners(ctx: ServiceContext, actor: Actor, filters: RunnerListFilters, page: PageRequest): Promise<Page<Runner>> {
  if (!isAdmin(actor)) throw forbidden();
  return ctx.store.runners.list(await storeFilter(ctx, {}, filters), page);
}

/** The project of `GET|POST|DELETE /projects/:id/runners`: visible (404), and the caller a Maintainer (403). */
export function projectForRunners(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Project> {
  return authorizeProject(ctx, actor, idOrPath, 'read_project_runners');
}

/** Runners a project may use (Ci::Runner.owned_or_instance_wide): its own, its groups' and the instance's. */
export async function listProjectRunners(ctx: ServiceContext, project: Project, filters: RunnerListFilters, page: PageRequest): Promise<Page<Runner>> {
  const groupIds = (await ctx.store.namespaces.ancestry(project.namespaceId)).filter((ns) => ns.kind === 'group').map((ns) => ns.id);
  return ctx.store.runners.list(await storeFilter(ctx, { projectIds: [project.id], groupIds, includeInstance: true }, filters), page);
}

/** The group of `GET /groups/:id/runners`: visible (404), and the caller a Maintainer (403, `read_group_runners`). */
export async function groupForRunners(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Namespace> {
  return authorizeGroup(ctx, actor, idOrPath, 'read_group_runners');
}

/** Runners of the group and its ancestors, and the instance's (Ci::Runner.group_or_instance_wide). */
export async function listGroupRunners(ctx: ServiceContext, group: Namespace, filters: RunnerListFilters, page: PageRequest): Promise<Page<Runner>> {
  const groupIds = (await ctx.store.namespaces.ancestry(group.id)).map((ns) => ns.id);
  return ctx.store.runners.list(await storeFilter(ctx, { groupIds, includeInstance: true }, filters), page);
}
