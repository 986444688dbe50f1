import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { jobAbilities, projectAbilitiesOf } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { isPlayable, isRetryable } from '../pipelines/pipeline-actions.js';
import { CANCELABLE_STATUSES, COMPLETED_STATUSES, type JobStatus } from '../pipelines/status/job-status.js';
import { traceSize } from '../traces/traces.js';
import { jobFacts } from './job-actions.js';

/** The job actions a caller may take now: the policy (BuildPolicy) and the job's state, as the actions check them. */
export interface AvailableJobActions {
  cancel: boolean;
  retry: boolean;
  play: boolean;
  erase: boolean;
  /** Keep the artifacts past their expiry (the archive must still expire: the page checks that). */
  keep: boolean;
}

const NONE: AvailableJobActions = { cancel: false, retry: false, play: false, erase: false, keep: false };

function decide(abilities: Set<string>, job: Job): AvailableJobActions {
  const status = job.status as JobStatus;
  return {
    cancel: abilities.has('cancel_build') && CANCELABLE_STATUSES.includes(status),
    retry: abilities.has('update_build') && isRetryable(job),
    play: abilities.has('play_job') && isPlayable(job) && !COMPLETED_STATUSES.includes(status),
    erase: false,
    keep: abilities.has('update_build'),
  };
}

/**
 * What the web UI offers on a job: exactly what cancelJobAs / retryJobAs / playJobAs / eraseJobAs would
 * allow, so a button is shown only when pressing it can succeed (a finished manual job is retried, not
 * played). `hasArtifacts` saves a query when known.
 */
export async function availableJobActions(ctx: ServiceContext, actor: Actor, project: Project, job: Job, hasArtifacts: boolean): Promise<AvailableJobActions> {
  if (!actor.user) return NONE;
  const abilities = jobAbilities(await projectAbilitiesOf(ctx, actor, project), await jobFacts(ctx, actor, project, job));
  const finished = COMPLETED_STATUSES.includes(job.status as JobStatus);
  return {
    ...decide(abilities, job),
    erase: abilities.has('erase_build') && finished && job.erasedAt === null && (hasArtifacts || (await traceSize(ctx, job.id)) > 0),
  };
}

/** Several jobs at once (a pipeline's), sharing one look-up of the project abilities. */
export async function availableJobActionsForJobs(ctx: ServiceContext, actor: Actor, project: Project, jobs: Job[]): Promise<Map<number, AvailableJobActions>> {
  const result = new Map<number, AvailableJobActions>();
  if (!actor.user) return result;
  const projectAbilities = await projectAbilitiesOf(ctx, actor, project);
  for (const job of jobs) result.set(job.id, decide(jobAbilities(projectAbilities, await jobFacts(ctx, actor, project, job)), job));
  return result;
}
