import { conflict } from '../../errors/api-error.js';
import type { Project } from '../../store/projects-repository.js';
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
  const batch = await ctx.store.jobArtifacts.sizesForRecount(refresh.projectId, refresh.lastArtifactId, refresh.lastArtifactIdAtStart ?? 0, RECOUNT_BATCH);
  if (batch.length === 0) {
    await statistics.finishRefresh(refresh.projectId);
    return true;
  }
  const size = batch.reduce((sum, artifact) => sum + artifact.size, 0);
  await statistics.advanceRefresh(refresh.projectId, refresh.lastArtifactId, batch[batch.length - 1].id, size, isoNow(ctx));
  return true;
}

/** Steps the queued recounts until none is left. */
export async function runArtifactsSizeRefreshes(ctx: ServiceContext): Promise<void> {
  while (await stepArtifactsSizeRefresh(ctx));
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

/** The project's statistics: the repository measured now, the artifacts' size as counted. */
export async function projectStatistics(ctx: ServiceContext, project: Project): Promise<ProjectStatisticsFigures> {
  const repository = projectRepository(ctx, project.id);
  const hasRepository = await repository.exists();
  const [commitCount, repositorySize, artifactsSize] = await Promise.all([
    hasRepository && project.defaultBranch !== null ? repository.commitCount(project.defaultBranch) : 0,
    hasRepository ? repository.sizeBytes() : 0,
    ctx.store.projectStatistics.artifactsSize(project.id),
  ]);
  return {
    commit_count: commitCount,
    storage_size: repositorySize + artifactsSize,
    repository_size: repositorySize,
    wiki_size: 0,
    lfs_objects_size: 0,
    job_artifacts_size: artifactsSize,
    pipeline_artifacts_size: 0,
    packages_size: 0,
    snippets_size: 0,
    uploads_size: 0,
    container_registry_size: 0,
  };
}
