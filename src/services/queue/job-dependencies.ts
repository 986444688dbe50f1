import type { DependencyRow } from '../../store/job-queue-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import type { ServiceContext } from '../context.js';

/** `test 1/2` and `test: [linux]` are instances of `test`: `dependencies:`/`needs:` may name the job or its instances. */
const namedBy = (jobName: string, name: string) => jobName === name || jobName.startsWith(`${name} `) || jobName.startsWith(`${name}:`);

/**
 * The builds whose artifacts `job` takes: `dependencies:`, else `needs:` with artifacts, else every earlier
 * stage. Read as narrow rows: the job payload and the missing-dependency check both ask on every assignment.
 */
export async function dependencySources(ctx: ServiceContext, job: Job): Promise<DependencyRow[]> {
  const names = job.spec.dependencies ?? (job.schedulingType === 'dag' ? (job.spec.needs ?? []).filter((n) => n.artifacts).map((n) => n.name) : null);
  if (names ? names.length === 0 : job.stageIdx === 0) return [];
  // needs may point at a job of any stage in GitLab's DAG, so a named lookup reads the whole pipeline.
  const candidates = await ctx.store.jobQueue.buildsBefore(job.pipelineId, names ? Number.MAX_SAFE_INTEGER : job.stageIdx);
  return candidates.filter((other) => other.id !== job.id && (!names || names.some((name) => namedBy(other.name, name))));
}
