import type { Job } from '../../store/jobs-repository.js';
import type { Runner } from '../../store/runners-repository.js';

/**
 * Whether a runner may take a pending job (GitLab's RunnerMatcher): the job's tags are a subset of the
 * runner's, untagged jobs only go to runners that run untagged jobs, and `ref_protected` runners take
 * only jobs of protected refs. Which projects a runner serves is decided by the query, not here.
 */
export function runnerMatchesJob(runner: Runner, job: Pick<Job, 'tagList' | 'protected'>): boolean {
  if (runner.accessLevel === 'ref_protected' && !job.protected) return false;
  if (job.tagList.length === 0) return runner.runUntagged;
  const tags = new Set(runner.tagList);
  return job.tagList.every((tag) => tags.has(tag));
}
