import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { projectAbilitiesOf } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { isRetryable } from './pipeline-actions.js';
import { CANCELABLE_STATUSES, type JobStatus } from './status/job-status.js';

/**
 * The pipeline buttons the web UI shows: cancel while a job can still be canceled, retry when a failed or
 * canceled job can be retried; each only for callers the REST API would let do it (Developer+).
 */
export async function availablePipelineActions(ctx: ServiceContext, actor: Actor, project: Project, latestJobs: Job[]): Promise<{ cancel: boolean; retry: boolean }> {
  if (!actor.user) return { cancel: false, retry: false };
  const abilities = await projectAbilitiesOf(ctx, actor, project);
  return {
    cancel: abilities.has('cancel_build') && latestJobs.some((j) => CANCELABLE_STATUSES.includes(j.status as JobStatus)),
    retry: abilities.has('update_build') && latestJobs.some((j) => (j.status === 'failed' || j.status === 'canceled') && isRetryable(j)),
  };
}
