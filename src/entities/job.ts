import type { JobArtifact } from '../store/job-artifacts-repository.js';
import type { Job } from '../store/jobs-repository.js';
import type { Pipeline } from '../store/pipelines-repository.js';
import type { User } from '../store/users-repository.js';
import { commitEntity, type CommitInfo } from './commit.js';
import { pipelineBasicEntity } from './pipeline.js';
import type { RenderContext } from './render-context.js';
import { userEntity } from './user.js';

/** Everything a Job entity shows beside the row, loaded once per page (see services/jobs/job-views.ts). */
export interface JobView {
  job: Job;
  pipeline: Pipeline;
  projectPath: string;
  user: User | null;
  commit: CommitInfo | null;
  artifacts: JobArtifact[];
  downstream: Pipeline | null;
}

const seconds = (from: string | null, to: string | null, now: Date): number | null =>
  from === null ? null : Math.max(0, ((to ? Date.parse(to) : now.getTime()) - Date.parse(from)) / 1000);

/** API::Entities::Ci::JobBasic, in GitLab's key order; `failure_reason` only for failed jobs. */
export function jobBasicEntity(view: JobView, rc: RenderContext, now: Date): Record<string, unknown> {
  const { job } = view;
  const entity: Record<string, unknown> = {
    id: job.id,
    status: job.status,
    stage: job.stage,
    name: job.name,
    ref: job.ref,
    tag: job.tag,
    coverage: job.coverage,
    allow_failure: job.allowFailure,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    erased_at: job.erasedAt,
    duration: seconds(job.startedAt, job.finishedAt, now),
    queued_duration: job.queuedAt === null ? null : seconds(job.queuedAt, job.startedAt, now),
    user: view.user ? userEntity(view.user, rc) : null,
    commit: view.commit ? commitEntity(view.commit, view.projectPath, rc) : null,
    pipeline: pipelineBasicEntity({ pipeline: view.pipeline, projectPath: view.projectPath, user: null }, rc),
  };
  if (job.status === 'failed') entity.failure_reason = job.failureReason ?? 'unknown_failure';
  entity.web_url = `${rc.externalUrl}/${view.projectPath}/-/jobs/${job.id}`;
  entity.project = { ci_job_token_scope_enabled: false };
  return entity;
}

function liveArchive(view: JobView, now: Date): JobArtifact | undefined {
  return view.artifacts.find((a) => a.fileType === 'archive' && a.blobKey !== null && (a.expireAt === null || Date.parse(a.expireAt) > now.getTime()));
}

/** API::Entities::Ci::Job = JobBasic + artifacts, runner and tags. */
export function jobEntity(view: JobView, rc: RenderContext, now: Date): Record<string, unknown> {
  const entity = jobBasicEntity(view, rc, now);
  const archive = liveArchive(view, now);
  if (archive) entity.artifacts_file = { filename: archive.filename, size: archive.size };
  entity.artifacts = view.artifacts.map((a) => ({ file_type: a.fileType, size: a.size, filename: a.filename, file_format: a.fileFormat }));
  entity.runner = null;
  entity.runner_manager = null;
  entity.artifacts_expire_at = archive?.expireAt ?? view.artifacts.find((a) => a.fileType === 'archive')?.expireAt ?? null;
  entity.archived = false;
  entity.tag_list = [...view.job.tagList].sort();
  return entity;
}

/** API::Entities::Ci::Bridge = JobBasic + the pipeline it started. */
export function bridgeEntity(view: JobView, rc: RenderContext, now: Date): Record<string, unknown> {
  const entity = jobBasicEntity(view, rc, now);
  entity.downstream_pipeline = view.downstream ? pipelineBasicEntity({ pipeline: view.downstream, projectPath: view.projectPath, user: null }, rc) : null;
  return entity;
}
