import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';

/**
 * A job runs in debug mode when `CI_DEBUG_TRACE` or `CI_DEBUG_SERVICES` is "true" in its variables, or
 * when its runner said so (`PATCH .../trace?debug_trace=true`): its log may show every secret, so
 * GitLab's `read_build_trace` asks for Developer access instead of `read_build`.
 */
export function isDebugJob(job: Job, pipelineVariables: Array<{ key: string; value: string }> = []): boolean {
  if (job.debugTrace) return true;
  const variables = [...job.spec.variables, ...pipelineVariables, ...job.jobVariables];
  return variables.some((v) => (v.key === 'CI_DEBUG_TRACE' || v.key === 'CI_DEBUG_SERVICES') && String(v.value).toLowerCase() === 'true');
}

export async function enableDebugTrace(ctx: ServiceContext, job: Job): Promise<void> {
  if (job.debugTrace) return;
  await ctx.store.jobs.update(job.id, { debugTrace: true });
  job.debugTrace = true;
}
