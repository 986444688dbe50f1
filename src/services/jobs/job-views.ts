import { commitKey } from '../../store/commits-repository.js';
import type { JobKeys } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { RunnerManager } from '../../store/runner-managers-repository.js';
import type { User } from '../../store/users-repository.js';
import type { JobView } from '../../entities/job.js';
import type { CommitInfo } from '../../entities/commit.js';
import type { ServiceContext } from '../context.js';
import { isRunnerManagerShown } from '../runners/runner-authentication.js';

/**
 * Loads what Job entities show for a page of jobs: one query per kind (pipelines, users, commits, artifacts,
 * runners, runner managers), never one per row; the independent ones run together (PostgreSQL overlaps them).
 * `knownUsers` (the caller, already loaded by authentication) are not fetched again: most jobs show the user
 * who pushed.
 */
export async function jobViews<J extends JobKeys>(
  ctx: ServiceContext,
  project: Project,
  jobs: J[],
  knownUsers: Array<User | null> = [],
  options: JobViewOptions<J> = {},
): Promise<Array<JobView<J>>> {
  return jobViewsAcrossProjects(ctx, new Map([[project.id, project]]), jobs, knownUsers, options);
}

export interface JobViewOptions<J> {
  /** Whether a job's view needs its commit (default: all do); the others show `commit: null`. */
  commitWanted?: (job: J) => boolean;
}

/** The same for jobs of several projects (a runner's jobs); `projects` holds the project of every job. */
export async function jobViewsAcrossProjects<J extends JobKeys>(
  ctx: ServiceContext,
  projects: Map<number, Project>,
  jobs: J[],
  knownUsers: Array<User | null> = [],
  options: JobViewOptions<J> = {},
): Promise<Array<JobView<J>>> {
  if (jobs.length === 0) return [];
  const pipelineIds = new Set<number>();
  const userIds = new Set<number>();
  const runnerIds = new Set<number>();
  const managerIds = new Set<number>();
  const buildIds: number[] = [];
  for (const job of jobs) {
    pipelineIds.add(job.pipelineId);
    if (job.downstreamPipelineId !== null) pipelineIds.add(job.downstreamPipelineId);
    if (job.userId !== null) userIds.add(job.userId);
    if (job.runnerId !== null) runnerIds.add(job.runnerId);
    if (job.runnerManagerId !== null) managerIds.add(job.runnerManagerId);
    if (job.type === 'build') buildIds.push(job.id);
  }
  const users = new Map<number, User>();
  for (const user of knownUsers) {
    if (user && userIds.delete(user.id)) users.set(user.id, user);
  }
  const [pipelines, fetchedUsers, artifacts, runners, managers] = await Promise.all([
    ctx.store.pipelines.findByIds([...pipelineIds]),
    userIds.size > 0 ? ctx.store.users.findByIds([...userIds]) : new Map<number, User>(),
    ctx.store.jobArtifacts.listByJobs(buildIds),
    ctx.store.runners.findByIds([...runnerIds]),
    ctx.store.runnerManagers.findByIds([...managerIds]),
  ]);
  for (const [id, user] of fetchedUsers) users.set(id, user);
  const wanted = options.commitWanted;
  const commitPipelines = wanted ? new Set(jobs.filter(wanted).map((job) => pipelines.get(job.pipelineId)!)) : new Set(pipelines.values());
  const commits = commitPipelines.size > 0 ? await loadCommits(ctx, projects, [...commitPipelines]) : new Map<string, CommitInfo>();
  return jobs.map((job) => {
    const pipeline = pipelines.get(job.pipelineId)!;
    const manager: RunnerManager | undefined = job.runnerManagerId === null ? undefined : managers.get(job.runnerManagerId);
    return {
      job,
      pipeline,
      projectPath: projects.get(job.projectId)!.fullPath,
      user: job.userId === null ? null : (users.get(job.userId) ?? null),
      commit: wanted && !wanted(job) ? null : (commits.get(commitKey(pipeline.projectId, pipeline.sha)) ?? null),
      artifacts: artifacts.get(job.id) ?? [],
      downstream: job.downstreamPipelineId === null ? null : (pipelines.get(job.downstreamPipelineId) ?? null),
      runner: job.runnerId === null ? null : (runners.get(job.runnerId) ?? null),
      runnerManager: manager && isRunnerManagerShown(manager) ? manager : null,
    };
  });
}

/** The pipelines' commits: by sha for one project (the usual page), in one query across projects otherwise. */
async function loadCommits(ctx: ServiceContext, projects: Map<number, Project>, pipelines: Array<{ projectId: number; sha: string }>) {
  if (projects.size === 1) {
    const [projectId] = projects.keys();
    const bySha = await ctx.store.commits.findMany(projectId, pipelines.filter((p) => p.projectId === projectId).map((p) => p.sha));
    return new Map([...bySha].map(([sha, commit]) => [commitKey(projectId, sha), commit]));
  }
  return ctx.store.commits.findManyAcrossProjects(pipelines.map((p) => ({ projectId: p.projectId, sha: p.sha })));
}
