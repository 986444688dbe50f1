import type { Pipeline } from '../store/pipelines-repository.js';
import type { User } from '../store/users-repository.js';
import type { RenderContext } from './render-context.js';
import { userBasicEntity } from './user.js';

/** The words GitLab's UI shows for each status (Gitlab::Ci::Status::*). */
const STATUS_TEXT: Record<string, string> = {
  created: 'created', waiting_for_resource: 'waiting', preparing: 'preparing', pending: 'pending', running: 'running',
  success: 'passed', failed: 'failed', canceling: 'canceling', canceled: 'canceled', skipped: 'skipped', manual: 'manual',
  scheduled: 'scheduled', waiting_for_callback: 'waiting',
};

export function detailedStatus(status: string, detailsPath: string, warnings = false) {
  const text = STATUS_TEXT[status] ?? status;
  const group = status === 'success' && warnings ? 'success-with-warnings' : status;
  return {
    icon: `status_${status === 'success' && warnings ? 'warning' : status}`,
    text,
    label: status === 'success' && warnings ? 'passed with warnings' : text,
    group,
    tooltip: text,
    has_details: true,
    details_path: detailsPath,
    illustration: null,
    favicon: `/assets/ci_favicons/favicon_status_${status}.png`,
  };
}

export interface PipelineView {
  pipeline: Pipeline;
  projectPath: string;
  user: User | null;
}

export function pipelineWebUrl(view: PipelineView, rc: RenderContext): string {
  return `${rc.externalUrl}/${view.projectPath}/-/pipelines/${view.pipeline.id}`;
}

/** API::Entities::Ci::PipelineBasic */
export function pipelineBasicEntity(view: PipelineView, rc: RenderContext) {
  const p = view.pipeline;
  return {
    id: p.id,
    iid: p.iid,
    project_id: p.projectId,
    sha: p.sha,
    ref: p.ref,
    status: p.status,
    source: p.source,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    web_url: pipelineWebUrl(view, rc),
  };
}

function seconds(from: string | null, to: string | null, now: Date): number | null {
  if (!from) return null;
  const end = to ? Date.parse(to) : now.getTime();
  return Math.max(0, Math.round((end - Date.parse(from)) / 1000));
}

/** API::Entities::Ci::Pipeline: durations are whole seconds and coverage a string, as clients decode them. */
export function pipelineEntity(view: PipelineView, rc: RenderContext, now: Date) {
  const p = view.pipeline;
  return Object.assign(pipelineBasicEntity(view, rc), {
    before_sha: p.beforeSha,
    tag: p.tag,
    yaml_errors: p.yamlErrors,
    user: view.user ? userBasicEntity(view.user, rc) : null,
    started_at: p.startedAt,
    finished_at: p.finishedAt,
    committed_at: p.committedAt,
    duration: p.startedAt ? seconds(p.startedAt, p.finishedAt, now) : null,
    queued_duration: p.startedAt ? seconds(p.createdAt, p.startedAt, now) : null,
    coverage: p.coverage,
    detailed_status: detailedStatus(p.status, `/${view.projectPath}/-/pipelines/${p.id}`),
    name: p.name,
  });
}

export function pipelineVariableEntity(v: { key: string; value: string; variable_type: string }) {
  return { variable_type: v.variable_type, key: v.key, value: v.value };
}
