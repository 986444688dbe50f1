import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { rejectIfArtifactsSizeRefreshing } from '../projects/project-statistics.js';
import { cancelPipelineJobs, deletePipeline, retryPipeline } from './pipeline-actions.js';
import { findPipeline, type PipelineWithContext } from './pipelines-query.js';

/** The pipeline actions of the REST API, with GitLab's abilities: Developers cancel and retry, Owners delete. */
export async function cancelPipelineAs(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, pipelineId: number): Promise<PipelineWithContext> {
  const found = await findPipeline(ctx, actor, projectIdOrPath, pipelineId, 'cancel_build');
  return { ...found, pipeline: await cancelPipelineJobs(ctx, found.pipeline) };
}

export async function retryPipelineAs(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, pipelineId: number): Promise<PipelineWithContext> {
  const found = await findPipeline(ctx, actor, projectIdOrPath, pipelineId, 'update_build');
  return { ...found, pipeline: await retryPipeline(ctx, found.pipeline, actor.user!.id) };
}

export async function deletePipelineAs(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, pipelineId: number): Promise<void> {
  const found = await findPipeline(ctx, actor, projectIdOrPath, pipelineId, 'remove_project');
  await rejectIfArtifactsSizeRefreshing(ctx, found.pipeline.projectId);
  await deletePipeline(ctx, found.pipeline);
}

export async function pipelineVariablesAs(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, pipelineId: number) {
  const found = await findPipeline(ctx, actor, projectIdOrPath, pipelineId, 'update_build');
  return found.pipeline.variables;
}
