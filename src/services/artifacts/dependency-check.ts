import type { DependencyRow } from '../../store/job-queue-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';
import { finishJob } from '../pipelines/job-lifecycle.js';
import { isExpired } from './artifact-expiry.js';
import { artifactsLocked } from './latest-artifacts.js';

/**
 * GitLab's `valid_dependency?`: a job cannot run when a job it takes artifacts from was erased or its
 * archive expired (unless kept as the ref's latest); it then fails with `missing_dependency_failure`
 * instead of being handed to a runner. Jobs that never made artifacts are fine. The expiry is the one the
 * job keeps (`artifacts_expire_at`), not the artifact row's: once swept the row is gone, and a missing row
 * would read as "never had artifacts".
 */
export async function hasMissingDependency(ctx: ServiceContext, deps: DependencyRow[]): Promise<boolean> {
  if (deps.some((d) => d.erasedAt !== null)) return true;
  const now = ctx.clock.now();
  for (const dep of deps) {
    if (isExpired(dep.artifactsExpireAt, now) && !(await artifactsLocked(ctx, dep))) return true;
  }
  return false;
}

/** Fails a pending job whose dependencies' (`dependencySources`) artifacts are gone; true when it did. */
export async function failIfDependencyMissing(ctx: ServiceContext, job: Job, deps: DependencyRow[]): Promise<boolean> {
  if (!(await hasMissingDependency(ctx, deps))) return false;
  await finishJob(ctx, job, { status: 'failed', failureReason: 'missing_dependency_failure' });
  return true;
}
