import type { User } from '../../store/users-repository.js';
import type { ServiceContext } from '../context.js';

/** A running job's token, as git over HTTP (`gitlab-ci-token:<token>`) and the job-token API see it. */
export interface JobTokenHolder {
  jobId: number;
  projectId: number;
  /** The user the job runs as: a job token acts with their access, read-only for repositories. */
  user: User;
}

/**
 * The job a `CI_JOB_TOKEN` belongs to, while the job runs. Nothing issues job tokens yet — the runner
 * issue does (it stores a digest in `jobs.token_digest` when a runner picks a job) — so every token is
 * unknown and callers answer 401. Keep every job-token check going through this one function.
 */
export async function findJobByToken(_ctx: ServiceContext, _token: string): Promise<JobTokenHolder | null> {
  return null;
}
