import type { Job } from '../../store/jobs-repository.js';
import type { User } from '../../store/users-repository.js';
import type { ServiceContext } from '../context.js';
import { tokenDigest } from '../security/secrets.js';

/** A running job's token, as git over HTTP (`gitlab-ci-token:<token>`) and the job-token API see it. */
export interface JobTokenHolder {
  jobId: number;
  projectId: number;
  job: Job;
  /** The user the job runs as: a job token acts with their access, read-only for repositories. */
  user: User;
}

/** GitLab accepts a job's token only while the job runs (or is being canceled) and is not erased. */
const LIVE_STATUSES = ['running', 'canceling'];

export const JOB_TOKEN_PREFIX = 'glcbt-';

/**
 * The job a `CI_JOB_TOKEN` belongs to, while the job runs; null for unknown tokens, finished jobs, erased
 * jobs and jobs without a user. The runner issue issues tokens (a digest in `jobs.token_digest`); every
 * job-token check goes through this one function.
 */
export async function findJobByToken(ctx: ServiceContext, token: string): Promise<JobTokenHolder | null> {
  if (!token) return null;
  const job = await ctx.store.jobs.findByTokenDigest(tokenDigest(token));
  if (!job || !LIVE_STATUSES.includes(job.status) || job.erasedAt !== null || job.userId === null) return null;
  const user = await ctx.store.users.findById(job.userId);
  if (!user || user.state === 'blocked') return null;
  return { jobId: job.id, projectId: job.projectId, job, user };
}
