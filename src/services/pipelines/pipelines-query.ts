import { forbidden, invalidParam, recordNotFound } from '../../errors/api-error.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { Pipeline, PipelineFilter } from '../../store/pipelines-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { User } from '../../store/users-repository.js';
import type { Actor } from '../access/actor.js';
import { can, type ProjectAbility } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { authorizeProject } from '../projects/projects.js';

export const PIPELINE_STATUSES = ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled'];
const SCOPE_STATUSES: Record<string, string[]> = {
  running: ['running'],
  pending: ['pending'],
  finished: ['success', 'failed', 'canceled', 'skipped'],
};

export interface PipelineListQuery {
  scope?: 'running' | 'pending' | 'finished' | 'branches' | 'tags';
  status?: string;
  ref?: string;
  sha?: string;
  source?: string;
  username?: string;
  name?: string;
  updated_after?: string;
  updated_before?: string;
  yaml_errors?: boolean;
}

export interface PipelineWithContext {
  pipeline: Pipeline;
  project: Project;
  user: User | null;
}

/** A pipeline of the project, readable by the actor; `404 Not found` as GitLab's record lookup says. */
export async function findPipeline(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, pipelineId: number, ability: ProjectAbility = 'read_pipeline'): Promise<PipelineWithContext> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'read_pipeline');
  const pipeline = await ctx.store.pipelines.findById(pipelineId);
  if (!pipeline || pipeline.projectId !== project.id) throw recordNotFound();
  if (ability !== 'read_pipeline' && !(await can(ctx, actor, ability, project))) throw forbidden();
  const user = pipeline.userId === null ? null : ((await ctx.store.users.findById(pipeline.userId)) ?? null);
  return { pipeline, project, user };
}

export async function listPipelines(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, query: PipelineListQuery, page: PageRequest): Promise<{ project: Project; page: Page<Pipeline>; users: Map<number, User> }> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'read_pipeline');
  const filter: PipelineFilter = { projectId: project.id, ref: query.ref, sha: query.sha, source: query.source, name: query.name };
  if (query.status) filter.statuses = [query.status];
  if (query.scope && SCOPE_STATUSES[query.scope]) filter.statuses = SCOPE_STATUSES[query.scope];
  if (query.updated_after) filter.updatedAfter = parseTime(query.updated_after, 'updated_after');
  if (query.updated_before) filter.updatedBefore = parseTime(query.updated_before, 'updated_before');
  if (query.username !== undefined) {
    const user = await ctx.store.users.findByUsername(query.username);
    filter.userId = user?.id ?? -1;
  }
  const pipelines = await ctx.store.pipelines.list(filter, page);
  let rows = pipelines.rows;
  // Rare filters applied after paging would skew pages; these two are cheap enough to apply here exactly.
  if (query.scope === 'tags') rows = rows.filter((p) => p.tag);
  if (query.scope === 'branches') rows = rows.filter((p) => !p.tag);
  if (query.yaml_errors !== undefined) rows = rows.filter((p) => (p.yamlErrors !== null) === query.yaml_errors);
  const users = await ctx.store.users.findByIds(rows.map((p) => p.userId).filter((id): id is number => id !== null));
  return { project, page: { ...pipelines, rows }, users };
}

export async function latestPipeline(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, ref: string | undefined): Promise<PipelineWithContext> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'read_pipeline');
  const pipeline = await ctx.store.pipelines.latestForRef(project.id, ref ?? project.defaultBranch ?? 'main');
  if (!pipeline) throw recordNotFound();
  const user = pipeline.userId === null ? null : ((await ctx.store.users.findById(pipeline.userId)) ?? null);
  return { pipeline, project, user };
}

/**
 * A `date-time` parameter as an ISO string, read the way GitLab's DateTime coercion (Ruby's DateTime)
 * reads it. The schema's RFC 3339 check lets the leap second `23:59:60` through, which JavaScript's Date
 * cannot hold: Ruby's DateTime reads it as `:59`, and so does this. Anything Date cannot read is
 * `<param> is invalid`, never a RangeError.
 */
export function parseTime(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value.replace(/^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:)60(?!\d)/, '$159'));
  if (Number.isNaN(time)) throw invalidParam(param);
  return new Date(time).toISOString();
}
