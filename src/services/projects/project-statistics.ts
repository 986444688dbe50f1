import { conflict } from '../../errors/api-error.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { can } from '../access/project-policy.js';
import { isoNow, type ServiceContext } from '../context.js';
import { projectRepository } from '../repositories/repositories.js';

const REFRESH_CONFLICT = 'Action temporarily disabled. The project this pipeline belongs to is undergoing stats refresh.';

/** Artifacts counted per step of a recount. */
const RECOUNT_BATCH = 1000;

/**
 * GitLab's `reject_if_build_artifacts_size_refreshing!`: while a project's artifacts are recounted, nothing
 * may remove them (erase, delete, delete the pipeline), or the walk would count them wrongly: 409.
 */
export async function rejectIfArtifactsSizeRefreshing(ctx: ServiceContext, projectId: number): Promise<void> {
  if (await ctx.store.projectStatistics.isRefreshing(projectId)) throw conflict(REFRESH_CONFLICT);
}

/**
 * One step of the recount that waited longest: start it (the total restarts at zero and the walk will stop
 * at the newest artifact of now; later ones are counted as they come), count one batch, or end it. Every
 * step is a conditional update, so two processes stepping the same recount count each batch once.
 * Answers false when no recount is queued.
 */
export async function stepArtifactsSizeRefresh(ctx: ServiceContext): Promise<boolean> {
  const statistics = ctx.store.projectStatistics;
  const refresh = await statistics.nextRefresh();
  if (!refresh) return false;
  if (refresh.state === 'created') {
    await statistics.startRefresh(refresh.projectId, isoNow(ctx));
    return true;
  }
  await statistics.advanceRefresh(refresh.projectId, refresh.lastArtifactId, RECOUNT_BATCH, isoNow(ctx));
  return true;
}

/** Steps the queued recounts until none is left, or `maxSteps` were taken. */
export async function runArtifactsSizeRefreshes(ctx: ServiceContext, maxSteps = Infinity): Promise<void> {
  for (let step = 0; step < maxSteps && (await stepArtifactsSizeRefresh(ctx)); step++);
}

/** GitLab's ProjectStatistics entity; Conveyor stores no wiki, LFS objects, packages, snippets, uploads or images. */
export interface ProjectStatisticsFigures {
  commit_count: number;
  storage_size: number;
  repository_size: number;
  wiki_size: number;
  lfs_objects_size: number;
  job_artifacts_size: number;
  pipeline_artifacts_size: number;
  packages_size: number;
  snippets_size: number;
  uploads_size: number;
  container_registry_size: number;
}

/** The projects' statistics: the repository's figures as measured since its last push (measured now if not), the artifacts' size as counted. */
export async function projectStatistics(ctx: ServiceContext, projects: Project[]): Promise<Map<number, ProjectStatisticsFigures>> {
  const stored = await ctx.store.projectStatistics.findMany(projects.map((p) => p.id));
  const figures = new Map<number, ProjectStatisticsFigures>();
  for (const project of projects) {
    const { jobArtifactsSize, repository, repositoryVersion } = stored.get(project.id)!;
    const measured = repository ?? (await measureRepository(ctx, project, repositoryVersion));
    figures.set(project.id, {
      commit_count: measured.commitCount,
      storage_size: measured.size + jobArtifactsSize,
      repository_size: measured.size,
      wiki_size: 0,
      lfs_objects_size: 0,
      job_artifacts_size: jobArtifactsSize,
      pipeline_artifacts_size: 0,
      packages_size: 0,
      snippets_size: 0,
      uploads_size: 0,
      container_registry_size: 0,
    });
  }
  return figures;
}

/**
 * `statistics=true`: the views of the projects whose statistics the caller may read (`read_statistics`,
 * Reporter and up) carry them; GitLab leaves the key out for the others rather than refusing.
 */
export async function withStatistics<V extends { project: Project }>(ctx: ServiceContext, actor: Actor, views: V[]): Promise<Array<V & { statistics?: ProjectStatisticsFigures }>> {
  const readable: Project[] = [];
  for (const view of views) if (await can(ctx, actor, 'read_statistics', view.project)) readable.push(view.project);
  const figures = await projectStatistics(ctx, readable);
  return views.map((view) => (figures.has(view.project.id) ? { ...view, statistics: figures.get(view.project.id) } : view));
}

async function measureRepository(ctx: ServiceContext, project: Project, version: number): Promise<{ size: number; commitCount: number }> {
  const repository = projectRepository(ctx, project.id);
  if (!(await repository.exists())) return { size: 0, commitCount: 0 };
  const [size, commitCount] = await Promise.all([repository.sizeBytes(), project.defaultBranch === null ? 0 : repository.commitCount(project.defaultBranch)]);
  await ctx.store.projectStatistics.recordRepository(project.id, version, size, commitCount);
  return { size, commitCount };
}

/** After every push the repository's figures are measured again when next asked for (GitLab updates them after pushes too). */
export function registerRepositoryStatistics(ctx: ServiceContext, onError: (error: unknown) => void): void {
  ctx.events.on('push', (event) => {
    ctx.events.track(() => ctx.store.projectStatistics.repositoryChanged(event.projectId).catch(onError));
  });
}
