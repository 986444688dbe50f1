import { stringify } from 'yaml';
import type { Job } from '../../store/jobs-repository.js';
import type { PipelineVariable } from '../../store/pipelines-repository.js';
import type { JobStatusEvent, PipelineStatusEvent } from '../events.js';
import { can } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { ensureRepository } from '../repositories/repositories.js';
import { transitionJob } from './job-transitions.js';
import { finishJob } from './job-lifecycle.js';
import { createPipelineForCommit } from './pipeline-from-commit.js';
import { COMPLETED_STATUSES, type JobStatus } from './status/job-status.js';

type Outcome = { ok: true; pipelineId: number } | { ok: false; reason: string };

function forwardedVariables(bridge: Job, parentVariables: PipelineVariable[]): PipelineVariable[] {
  const trigger = bridge.spec.trigger!;
  const out: PipelineVariable[] = [];
  if (trigger.forward.yaml_variables) out.push(...bridge.spec.variables.map((v) => ({ key: v.key, value: v.value, variable_type: 'env_var' as const })));
  if (trigger.forward.pipeline_variables) out.push(...parentVariables);
  return out;
}

/** Creates the pipeline a bridge triggers: a child from files of the same commit, or one in another project. */
async function triggerDownstream(ctx: ServiceContext, bridge: Job): Promise<Outcome> {
  const trigger = bridge.spec.trigger;
  const parent = await ctx.store.pipelines.findById(bridge.pipelineId);
  const project = await ctx.store.projects.findById(bridge.projectId);
  if (!trigger || !parent || !project) return { ok: false, reason: 'invalid_bridge_trigger' };
  const user = bridge.userId === null ? undefined : await ctx.store.users.findById(bridge.userId);
  const actor = { user: user ?? null, scopes: null, tokenId: null, sudoFrom: null };
  const variables = forwardedVariables(bridge, parent.variables);
  if (trigger.kind === 'child') {
    const include = trigger.include.map((entry) => (entry.type === 'local' ? { local: entry.path } : entry));
    const result = await createPipelineForCommit(ctx, project, {
      ref: parent.ref, tag: parent.tag, sha: parent.sha, beforeSha: parent.beforeSha, source: 'parent_pipeline', userId: bridge.userId ?? 0,
      variables, parent: { pipelineId: parent.id, jobId: bridge.id }, configOverride: stringify({ include }),
    }, { keepFailed: true });
    return result.status === 'rejected' ? { ok: false, reason: 'downstream_pipeline_creation_failed' } : { ok: true, pipelineId: result.pipeline.id };
  }
  const target = await ctx.store.projects.findByFullPath(trigger.project);
  if (!target || !(await can(ctx, actor, 'read_project', target))) return { ok: false, reason: 'downstream_bridge_project_not_found' };
  if (!(await can(ctx, actor, 'create_pipeline', target))) return { ok: false, reason: 'insufficient_bridge_permissions' };
  const ref = trigger.branch ?? target.defaultBranch ?? 'main';
  const repository = await ensureRepository(ctx, target);
  const sha = await repository.resolveRef(`refs/heads/${ref}`).catch(() => null);
  if (!sha) return { ok: false, reason: 'downstream_pipeline_creation_failed' };
  const result = await createPipelineForCommit(ctx, target, {
    ref, tag: false, sha, beforeSha: '0'.repeat(40), source: 'pipeline', userId: bridge.userId ?? 0, variables,
    parent: { pipelineId: parent.id, jobId: bridge.id },
  }, { keepFailed: true });
  return result.status === 'rejected' ? { ok: false, reason: 'downstream_pipeline_creation_failed' } : { ok: true, pipelineId: result.pipeline.id };
}

/** A pending bridge triggers its downstream pipeline; with `strategy: depend` it then runs until that pipeline ends. */
export async function startBridge(ctx: ServiceContext, bridge: Job): Promise<void> {
  const outcome = await triggerDownstream(ctx, bridge);
  if (!outcome.ok) {
    await finishJob(ctx, bridge, { status: 'failed', failureReason: outcome.reason });
    return;
  }
  await ctx.store.jobs.update(bridge.id, { downstreamPipelineId: outcome.pipelineId });
  const current = { ...bridge, downstreamPipelineId: outcome.pipelineId };
  if (bridge.spec.trigger?.strategy === 'depend') {
    await transitionJob(ctx, current, 'run');
    const downstream = await ctx.store.pipelines.findById(outcome.pipelineId);
    if (downstream) await mirrorDownstream(ctx, { pipelineId: downstream.id, projectId: downstream.projectId, status: downstream.status });
  } else await finishJob(ctx, current, { status: 'success' });
}

/** `strategy: depend`: the bridge ends as its downstream pipeline ends. */
export async function mirrorDownstream(ctx: ServiceContext, event: PipelineStatusEvent): Promise<void> {
  if (!COMPLETED_STATUSES.includes(event.status as JobStatus)) return;
  const pipeline = await ctx.store.pipelines.findById(event.pipelineId);
  if (!pipeline?.sourceJobId) return;
  const bridge = await ctx.store.jobs.findById(pipeline.sourceJobId);
  if (!bridge || bridge.status !== 'running' || bridge.spec.trigger?.strategy !== 'depend') return;
  if (event.status === 'success' || event.status === 'skipped') await finishJob(ctx, bridge, { status: 'success' });
  else if (event.status === 'canceled') await transitionJob(ctx, bridge, 'cancel');
  else await finishJob(ctx, bridge, { status: 'failed', failureReason: 'downstream_pipeline_failed' });
}

/** Bridges react to events: a bridge becoming pending, a downstream pipeline finishing. */
export function registerBridgeTriggers(ctx: ServiceContext, log: (error: unknown) => void): void {
  ctx.events.on('job-status', (event: JobStatusEvent) => {
    // Another process's bridge is that process's to start.
    if (event.remote || event.to !== 'pending' || event.type !== 'bridge') return;
    ctx.events.track(() => ctx.store.jobs.findById(event.jobId).then((job) => (job?.type === 'bridge' ? startBridge(ctx, job) : undefined)).catch(log));
  });
  ctx.events.on('pipeline-status', (event) => {
    ctx.events.track(() => mirrorDownstream(ctx, event).catch(log));
  });
}
