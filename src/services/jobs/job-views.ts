import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { User } from '../../store/users-repository.js';
import type { JobView } from '../../entities/job.js';
import type { ServiceContext } from '../context.js';

/**
 * Loads what Job entities show for a page of jobs: one query per kind (pipelines, users, commits, artifacts),
 * never one per row; the independent ones run together (PostgreSQL overlaps them). `knownUsers` (the caller,
 * already loaded by authentication) are not fetched again: most jobs show the user who pushed.
 */
export async function jobViews(ctx: ServiceContext, project: Project, jobs: Job[], knownUsers: Array<User | null> = []): Promise<JobView[]> {
  if (jobs.length === 0) return [];
  const pipelineIds = new Set<number>();
  const userIds = new Set<number>();
  const buildIds: number[] = [];
  for (const job of jobs) {
    pipelineIds.add(job.pipelineId);
    if (job.downstreamPipelineId !== null) pipelineIds.add(job.downstreamPipelineId);
    if (job.userId !== null) userIds.add(job.userId);
    if (job.type === 'build') buildIds.push(job.id);
  }
  const users = new Map<number, User>();
  for (const user of knownUsers) {
    if (user && userIds.delete(user.id)) users.set(user.id, user);
  }
  const [pipelines, fetchedUsers, artifacts] = await Promise.all([
    ctx.store.pipelines.findByIds([...pipelineIds]),
    userIds.size > 0 ? ctx.store.users.findByIds([...userIds]) : new Map<number, User>(),
    ctx.store.jobArtifacts.listByJobs(buildIds),
  ]);
  for (const [id, user] of fetchedUsers) users.set(id, user);
  const commits = await ctx.store.commits.findMany(project.id, [...new Set([...pipelines.values()].map((p) => p.sha))]);
  return jobs.map((job) => {
    const pipeline = pipelines.get(job.pipelineId)!;
    return {
      job,
      pipeline,
      projectPath: project.fullPath,
      user: job.userId === null ? null : (users.get(job.userId) ?? null),
      commit: commits.get(pipeline.sha) ?? null,
      artifacts: artifacts.get(job.id) ?? [],
      downstream: job.downstreamPipelineId === null ? null : (pipelines.get(job.downstreamPipelineId) ?? null),
    };
  });
}
