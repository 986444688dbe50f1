import { forbidden } from '../../errors/api-error.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { can } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { loadCiVariables } from '../pipelines/job-variables.js';
import { isDebugJob } from '../traces/debug-trace.js';
import { markWatched } from '../traces/trace-watchers.js';
import { readTrace } from '../traces/traces.js';
import { getJob } from './jobs-query.js';

async function isDebugMode(ctx: ServiceContext, project: Project, job: Job): Promise<boolean> {
  if (job.debugTrace) return true;
  const pipeline = await ctx.store.pipelines.findById(job.pipelineId);
  const ciVariables = await loadCiVariables(ctx, project);
  return isDebugJob(job, [...(pipeline?.variables ?? []), ...ciVariables]);
}

/**
 * `GET /projects/:id/jobs/:job_id/trace`: the stored log (empty when none). GitLab's `read_build_trace`:
 * a debug-mode log may show secrets, so it also needs `update_build` (Developer). Reading a log counts
 * as watching it, so the runner sends more often for a while.
 */
export async function readJobTraceAs(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<{ job: Job; log: Buffer }> {
  const job = await authorizeJobTrace(ctx, actor, idOrPath, jobId);
  if (job.status === 'running' || job.status === 'canceling') markWatched(ctx, job.id);
  return { job, log: await readTrace(ctx, job.id) };
}

/** The job whose log the caller may read (`read_build` and, for debug-mode logs, `update_build`). */
export async function authorizeJobTrace(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<Job> {
  const { project, job } = await getJob(ctx, actor, idOrPath, jobId);
  if ((await isDebugMode(ctx, project, job)) && !(await can(ctx, actor, 'update_build', project))) throw forbidden();
  return job;
}
