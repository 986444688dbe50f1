import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { JobView } from '../../entities/job.js';
import type { ServiceContext } from '../context.js';

/** Loads what Job entities show for a page of jobs: one query per kind (pipelines, users, commits, artifacts), never one per row. */
export async function jobViews(ctx: ServiceContext, project: Project, jobs: Job[]): Promise<JobView[]> {
  const pipelines = await ctx.store.pipelines.findByIds([...jobs.map((j) => j.pipelineId), ...jobs.map((j) => j.downstreamPipelineId).filter((id): id is number => id !== null)]);
  const users = await ctx.store.users.findByIds(jobs.map((j) => j.userId).filter((id): id is number => id !== null));
  const commits = await ctx.store.commits.findMany(project.id, [...pipelines.values()].map((p) => p.sha));
  const artifacts = await ctx.store.jobArtifacts.listByJobs(jobs.filter((j) => j.type === 'build').map((j) => j.id));
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
