import type { JobArtifact } from '../store/job-artifacts-repository.js';
import type { Job, JobKeys, ShownJob } from '../store/jobs-repository.js';
import type { Pipeline } from '../store/pipelines-repository.js';
import type { RunnerManager } from '../store/runner-managers-repository.js';
import type { Runner } from '../store/runners-repository.js';
import type { User } from '../store/users-repository.js';
import { commitEntity, type CommitInfo } from './commit.js';
import { pipelineBasicEntity } from './pipeline.js';
import { projectIdentityEntity, type ProjectView } from './project.js';
import type { RenderContext } from './render-context.js';
import { runnerEntity, runnerManagerEntity } from './runner.js';
import { userEntity } from './user.js';

/** Everything a Job entity shows beside the row, loaded once per page (see services/jobs/job-views.ts). */
export interface JobView<J extends JobKeys = Job> {
  job: J;
  pipeline: Pipeline;
  projectPath: string;
  user: User | null;
  commit: CommitInfo | null;
  artifacts: JobArtifact[];
  downstream: Pipeline | null;
  /** The runner that took the job, and which of its machines. */
  runner: Runner | null;
  runnerManager: RunnerManager | null;
}

const seconds = (from: string | null, to: string | null, now: Date): number | null =>
  from === null ? null : Math.max(0, ((to ? Date.parse(to) : now.getTime()) - Date.parse(from)) / 1000);

/** Hands out what a job shows in place of a shared sub-entity (the HTTP layer's SharedJson). */
export interface SubEntitySharing {
  share(value: unknown): unknown;
  /** The JSON bytes of the value `share` handed out this stand-in for. */
  bytesOf(standIn: unknown): Buffer;
}

/**
 * Sub-entities shared by the jobs of one page: a page of 100 jobs usually has one user, a pipeline or two
 * and their commits, so each is built once and the same object is referenced from every job that shows it.
 * Create one per response (`newJobEntityMemo()`); entities are plain data and never mutated afterwards.
 * With `shared`, a list reply's, the jobs hold its stand-ins instead, and each sub-entity is serialized once.
 */
export interface JobEntityMemo {
  users: Map<User, unknown>;
  commits: Map<CommitInfo, unknown>;
  pipelines: Map<Pipeline, unknown>;
  runners: Map<Runner, unknown>;
  runnerManagers: Map<RunnerManager, unknown>;
  shared?: SubEntitySharing;
}

export const newJobEntityMemo = (shared?: SubEntitySharing): JobEntityMemo => ({
  users: new Map(), commits: new Map(), pipelines: new Map(), runners: new Map(), runnerManagers: new Map(), shared,
});

function memoized<K>(memo: JobEntityMemo | undefined, map: Map<K, unknown> | undefined, key: K, build: (key: K) => unknown): unknown {
  if (!map) return build(key);
  let value = map.get(key);
  if (value === undefined) {
    value = build(key);
    if (memo?.shared) value = memo.shared.share(value);
    map.set(key, value);
  }
  return value;
}

/** What a job shows of the records it links to: each its entity (a memo's shared one), or null. */
export type LinkedEntityKind = 'user' | 'commit' | 'pipeline' | 'runner' | 'runnerManager';
type LinkedEntityOf = (view: JobView<JobKeys>, rc: RenderContext, now: Date, memo?: JobEntityMemo) => unknown;
export const linkedEntity: Record<LinkedEntityKind, LinkedEntityOf> = {
  user: (view, rc, _now, memo) => (view.user === null ? null : memoized(memo, memo?.users, view.user, (u) => userEntity(u, rc))),
  commit: (view, rc, _now, memo) =>
    view.commit === null ? null : memoized(memo, memo?.commits, view.commit, (c) => commitEntity(c, view.projectPath, rc)),
  pipeline: (view, rc, _now, memo) =>
    memoized(memo, memo?.pipelines, view.pipeline, (p) => pipelineBasicEntity({ pipeline: p, projectPath: view.projectPath, user: null }, rc)),
  runner: (view, _rc, now, memo) => (view.runner === null ? null : memoized(memo, memo?.runners, view.runner, (r) => runnerEntity(r, now))),
  runnerManager: (view, _rc, now, memo) =>
    view.runnerManager === null ? null : memoized(memo, memo?.runnerManagers, view.runnerManager, (m) => runnerManagerEntity(m, now)),
};

/**
 * API::Entities::Ci::JobBasic, in GitLab's key order; `failure_reason` only for failed jobs. Built as one
 * object literal (one hidden class per variant) rather than by adding keys one by one.
 */
export function jobBasicEntity(view: JobView<ShownJob>, rc: RenderContext, now: Date, memo?: JobEntityMemo): Record<string, unknown> {
  const { job, projectPath } = view;
  const user = linkedEntity.user(view, rc, now, memo);
  const commit = linkedEntity.commit(view, rc, now, memo);
  const pipeline = linkedEntity.pipeline(view, rc, now, memo);
  const duration = seconds(job.startedAt, job.finishedAt, now);
  const queuedDuration = job.queuedAt === null ? null : seconds(job.queuedAt, job.startedAt, now);
  const webUrl = `${rc.externalUrl}/${projectPath}/-/jobs/${job.id}`;
  if (job.status === 'failed') {
    return {
      id: job.id, status: job.status, stage: job.stage, name: job.name, ref: job.ref, tag: job.tag, coverage: job.coverage,
      allow_failure: job.allowFailure, created_at: job.createdAt, started_at: job.startedAt, finished_at: job.finishedAt,
      erased_at: job.erasedAt, duration, queued_duration: queuedDuration, user, commit, pipeline,
      failure_reason: job.failureReason ?? 'unknown_failure',
      web_url: webUrl, project: { ci_job_token_scope_enabled: false },
    };
  }
  return {
    id: job.id, status: job.status, stage: job.stage, name: job.name, ref: job.ref, tag: job.tag, coverage: job.coverage,
    allow_failure: job.allowFailure, created_at: job.createdAt, started_at: job.startedAt, finished_at: job.finishedAt,
    erased_at: job.erasedAt, duration, queued_duration: queuedDuration, user, commit, pipeline,
    web_url: webUrl, project: { ci_job_token_scope_enabled: false },
  };
}

function liveArchive(view: JobView<JobKeys>, now: Date): JobArtifact | undefined {
  return view.artifacts.find((a) => a.fileType === 'archive' && a.blobKey !== null && (a.expireAt === null || Date.parse(a.expireAt) > now.getTime()));
}

/** API::Entities::Ci::Job = JobBasic + artifacts, runner and tags. */
export function jobEntity(view: JobView<ShownJob>, rc: RenderContext, now: Date, memo?: JobEntityMemo): Record<string, unknown> {
  const entity = jobBasicEntity(view, rc, now, memo);
  const tagList = [...view.job.tagList].sort();
  const runner = linkedEntity.runner(view, rc, now, memo);
  const manager = linkedEntity.runnerManager(view, rc, now, memo);
  if (view.artifacts.length === 0) {
    // The common case, without a single lookup: no archive, nothing to list.
    return Object.assign(entity, {
      artifacts: [], runner, runner_manager: manager, artifacts_expire_at: view.job.artifactsExpireAt, archived: false, tag_list: tagList,
    });
  }
  return Object.assign(entity, artifactsFields(view, now), {
    runner,
    runner_manager: manager,
    // The job's own, which outlives its archive (GitLab shows the past date after the sweeper removed it).
    artifacts_expire_at: view.job.artifactsExpireAt,
    archived: false,
    tag_list: tagList,
  });
}

/** A job's `artifacts_file` (with a live archive only) and `artifacts`, in that order. */
export function artifactsFields(view: JobView<JobKeys>, now: Date): Record<string, unknown> {
  if (view.artifacts.length === 0) return { artifacts: [] };
  const archive = liveArchive(view, now);
  const artifacts = view.artifacts.map((a) => ({ file_type: a.fileType, size: a.size, filename: a.filename, file_format: a.fileFormat }));
  return archive ? { artifacts_file: { filename: archive.filename, size: archive.size }, artifacts } : { artifacts };
}

/** API::Entities::Ci::Bridge = JobBasic + the pipeline it started. */
export function bridgeEntity(view: JobView<ShownJob>, rc: RenderContext, now: Date, memo?: JobEntityMemo): Record<string, unknown> {
  const entity = jobBasicEntity(view, rc, now, memo);
  entity.downstream_pipeline = view.downstream ? pipelineBasicEntity({ pipeline: view.downstream, projectPath: view.projectPath, user: null }, rc) : null;
  return entity;
}

/**
 * API::Entities::Ci::JobBasicWithProject, what a runner's job list shows: JobBasic whose `project` is the
 * job's ProjectIdentity (the later exposure replaces JobBasic's `project` in place, as Grape does).
 */
export function jobBasicWithProjectEntity(view: JobView<ShownJob>, project: ProjectView, rc: RenderContext, now: Date, memo?: JobEntityMemo): Record<string, unknown> {
  const entity = jobBasicEntity(view, rc, now, memo);
  entity.project = projectIdentityEntity(project);
  return entity;
}
