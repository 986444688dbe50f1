import type { Pipeline } from '../../store/pipelines-repository.js';
import type { ServiceContext } from '../context.js';
import { cancelPipelineJobs } from './pipeline-actions.js';

/** Sources whose new pipelines make older ones on the same ref redundant (GitLab: not for schedules or child pipelines). */
const AUTO_CANCELING_SOURCES = ['push', 'web', 'api', 'trigger', 'merge_request_event'];

/**
 * GitLab's "auto-cancel redundant pipelines" (conservative): an older unfinished pipeline on the same ref is
 * canceled when every job of it that has started is interruptible; its cancelable jobs end as canceled.
 */
export async function autoCancelOlderPipelines(ctx: ServiceContext, pipeline: Pipeline): Promise<number[]> {
  const project = await ctx.store.projects.findById(pipeline.projectId);
  if (!project?.autoCancelPendingPipelines || !AUTO_CANCELING_SOURCES.includes(pipeline.source)) return [];
  const canceled: number[] = [];
  for (const older of await ctx.store.pipelines.listUnfinishedOnRef(pipeline.projectId, pipeline.ref, pipeline.id)) {
    if (older.parentPipelineId !== null) continue;
    const jobs = await ctx.store.jobs.listByPipeline(older.id);
    const blocking = jobs.some((j) => j.startedAt !== null && j.interruptible !== true);
    if (blocking) continue;
    await cancelPipelineJobs(ctx, older, { autoCanceledBy: pipeline.id });
    canceled.push(older.id);
  }
  return canceled;
}
