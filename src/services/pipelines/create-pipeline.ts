import { compilePipeline, type ConfigFiles, type JobSpec, type PlanResult } from '../../ci-config/index.js';
import type { Job, NewJob } from '../../store/jobs-repository.js';
import type { Pipeline, PipelineVariable } from '../../store/pipelines-repository.js';
import type { Project } from '../../store/projects-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { autoCancelOlderPipelines } from './auto-cancel.js';
import { predefinedVariables } from './predefined-variables.js';
import { processPipeline } from './process-pipeline.js';
import { UNRUN_JOB } from './unrun-job.js';

export interface PipelineRequest {
  project: Project;
  userId: number;
  ref: string;
  tag: boolean;
  sha: string;
  beforeSha: string;
  source: string;
  commitMessage: string;
  committedAt: string | null;
  /** The config file's text at `sha`, or null when the commit has none. */
  configText: string | null;
  files: ConfigFiles;
  changedPaths: string[] | null;
  variables: PipelineVariable[];
  projectVariables: Record<string, string>;
  protectedRef: boolean;
  parent?: { pipelineId: number; jobId: number };
}

export type CreationResult =
  | { status: 'created'; pipeline: Pipeline; jobs: Job[] }
  | { status: 'failed'; pipeline: Pipeline; errors: string[] }
  | { status: 'rejected'; errors: string[] };

export const MISSING_CONFIG = 'Missing CI config file';



function jobRow(request: PipelineRequest, pipelineId: number, spec: JobSpec, now: string): NewJob {
  return {
    projectId: request.project.id,
    pipelineId,
    type: spec.kind,
    name: spec.name,
    stage: spec.stage,
    stageIdx: spec.stage_idx,
    status: 'created',
    when: spec.when,
    allowFailure: spec.allow_failure,
    schedulingType: spec.needs === null ? 'stage' : 'dag',
    ref: request.ref,
    tag: request.tag,
    protected: request.protectedRef,
    spec,
    tagList: [...spec.tags].sort(),
    jobVariables: [],
    resourceGroup: spec.resource_group,
    interruptible: spec.interruptible,
    userId: request.userId,
    ...UNRUN_JOB,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Compiles the commit's config and, when it yields jobs, stores the pipeline and its jobs in one
 * transaction, then processes it (first jobs become pending) and auto-cancels older interruptible work.
 * A broken config gives a `failed` pipeline carrying yaml_errors when `keepFailed` (pushes do), else
 * only the errors (the API answers 400). Workflow-filtered pipelines are never stored.
 */
export async function createPipeline(ctx: ServiceContext, request: PipelineRequest, options: { keepFailed: boolean }): Promise<CreationResult> {
  const now = isoNow(ctx);
  const pipelineVariables = Object.fromEntries(request.variables.map((v) => [v.key, v.value]));
  let plan: PlanResult;
  if (request.configText === null) plan = { status: 'invalid', errors: [MISSING_CONFIG], warnings: [] };
  else {
    plan = await compilePipeline(request.configText, request.files, {
      ref: request.ref,
      tag: request.tag,
      source: request.source,
      sha: request.sha,
      commitMessage: request.commitMessage,
      changedPaths: request.changedPaths,
      predefinedVariables: predefinedVariables(ctx.externalUrl, request.project, request),
      projectVariables: request.projectVariables,
      pipelineVariables,
    });
  }
  if (plan.status === 'filtered') return { status: 'rejected', errors: [plan.message] };
  const base = {
    projectId: request.project.id,
    ref: request.ref,
    tag: request.tag,
    sha: request.sha,
    beforeSha: request.beforeSha,
    source: request.source,
    userId: request.userId,
    failureReason: null,
    variables: request.variables,
    protectedRef: request.protectedRef,
    sourceJobId: request.parent?.jobId ?? null,
    parentPipelineId: request.parent?.pipelineId ?? null,
    autoCanceledById: null,
    coverage: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    committedAt: request.committedAt,
  };
  if (plan.status === 'invalid') {
    if (!options.keepFailed) return { status: 'rejected', errors: plan.errors };
    const pipeline = await ctx.store.transaction((store) =>
      store.pipelines.insert({
        ...base,
        status: 'failed',
        name: null,
        yamlErrors: plan.errors.join(', '),
        failureReason: 'config_error',
        yamlVariables: [],
        finishedAt: now,
      }),
    );
    ctx.events.emit('pipeline-status', { pipelineId: pipeline.id, projectId: pipeline.projectId, status: 'failed' });
    return { status: 'failed', pipeline, errors: plan.errors };
  }
  const planned = plan.pipeline;
  const { pipeline, jobs } = await ctx.store.transaction(async (store) => {
    const pipeline = await store.pipelines.insert({
      ...base,
      status: 'created',
      name: planned.workflow.name,
      yamlErrors: null,
      yamlVariables: planned.variables,
      finishedAt: null,
    });
    const jobs = await store.jobs.insertMany(planned.jobs.map((spec) => jobRow(request, pipeline.id, spec, now)));
    return { pipeline, jobs };
  });
  const processed = (await processPipeline(ctx, pipeline.id)) ?? pipeline;
  await autoCancelOlderPipelines(ctx, processed);
  return { status: 'created', pipeline: processed, jobs };
}
