import type { Job } from '../../store/jobs-repository.js';
import type { Pipeline } from '../../store/pipelines-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Runner } from '../../store/runners-repository.js';
import type { ServiceContext } from '../context.js';
import { artifactFormatOf } from '../artifacts/artifact-types.js';
import { buildJobVariables, type RunnerVariable } from '../pipelines/job-variables.js';
import type { DependencyRow } from '../../store/job-queue-repository.js';
import { JOB_TOKEN_PREFIX } from '../jobs/job-tokens.js';

/** Failure reasons a runner may report (GitLab's Ci::Build failure_reason enum, the runner-facing part). */
export const RUNNER_FAILURE_REASONS = [
  'unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure', 'runner_system_failure',
  'missing_dependency_failure', 'runner_unsupported', 'stale_schedule', 'job_execution_timeout', 'archived_failure',
  'unmet_prerequisites', 'scheduler_failure', 'data_integrity_failure',
];

/** Prefixes of GitLab tokens the runner masks in logs wherever they appear. */
const TOKEN_MASK_PREFIXES = ['glpat-', JOB_TOKEN_PREFIX, 'glrt-', 'GR1348941'];

export interface PayloadFacts {
  job: Job;
  token: string;
  pipeline: Pipeline;
  project: Project;
  runner: Runner;
  timeoutSeconds: number;
  /** The builds it takes artifacts from (`dependencySources`), read once per assignment. */
  dependencies: DependencyRow[];
}

/** The job's timeout as the runner must enforce it: the job's (or the project's), capped by the runner's maximum. */
export function jobTimeout(job: Job, project: Project, runner: Runner): number {
  const own = job.spec.timeout ?? project.buildTimeout;
  return runner.maximumTimeout !== null ? Math.min(own, runner.maximumTimeout) : own;
}

/** `http://gitlab-ci-token:<token>@host/group/project.git`, what the runner fetches from. */
function repositoryUrl(ctx: ServiceContext, project: Project, token: string): string {
  const url = new URL(`${ctx.externalUrl}/${project.fullPath}.git`);
  url.username = 'gitlab-ci-token';
  url.password = token;
  return url.toString();
}

function artifactEntries(job: Job): object[] {
  const spec = job.spec.artifacts;
  if (!spec) return [];
  const entries: object[] = [];
  if ((spec.paths && spec.paths.length > 0) || spec.untracked) {
    entries.push(Object.assign(spec.name ? { name: spec.name } : {}, {
      untracked: spec.untracked ?? false,
      paths: spec.paths ?? [],
      exclude: spec.exclude ?? [],
      when: spec.when ?? 'on_success',
      expire_in: spec.expire_in ?? null,
      artifact_type: 'archive',
      artifact_format: 'zip',
    }));
  }
  for (const [type, paths] of Object.entries(spec.reports ?? {})) {
    if (!Array.isArray(paths)) continue;
    entries.push({ name: type, untracked: false, paths, when: 'always', expire_in: spec.expire_in ?? null, artifact_type: type, artifact_format: artifactFormatOf(type) });
  }
  return entries;
}

/** The builds this job downloads artifacts from, each with its archive when it has one. */
async function dependencyEntries(ctx: ServiceContext, sources: DependencyRow[], token: string): Promise<object[]> {
  if (sources.length === 0) return [];
  const artifacts = await ctx.store.jobArtifacts.listByJobs(sources.map((s) => s.id));
  return sources.map((source) => {
    const archive = (artifacts.get(source.id) ?? []).find((a) => a.fileType === 'archive' && a.blobKey);
    return Object.assign({ id: source.id, name: source.name, token }, archive ? { artifacts_file: { filename: archive.filename, size: archive.size ?? 0 } } : {});
  });
}

function steps(job: Job, timeout: number): object[] {
  const out: object[] = [{ name: 'script', script: [...job.spec.before_script, ...job.spec.script], timeout, when: 'on_success', allow_failure: false }];
  if (job.spec.after_script.length > 0) out.push({ name: 'after_script', script: job.spec.after_script, timeout, when: 'always', allow_failure: true });
  return out;
}

function image(spec: Job['spec']['image']): object | null {
  if (!spec) return null;
  return { name: spec.name, entrypoint: spec.entrypoint ?? null, ports: [], pull_policy: spec.pull_policy ?? null };
}

/**
 * The `201` body of `POST /jobs/request` (runner protocol §2): every known key with the type gitlab-runner
 * decodes it as, since one mismatch makes the runner drop a job the server already gave it.
 */
export async function buildJobPayload(ctx: ServiceContext, facts: PayloadFacts): Promise<object> {
  const { job, token, pipeline, project, runner, timeoutSeconds } = facts;
  const [user, commit, namespaces] = await Promise.all([
    job.userId !== null ? ctx.store.users.findById(job.userId) : Promise.resolve(undefined),
    ctx.store.commits.findMany(project.id, [pipeline.sha]).then((found) => found.get(pipeline.sha)),
    ctx.store.namespaces.ancestry(project.namespaceId),
  ]);
  const repoUrl = repositoryUrl(ctx, project, token);
  const variables: RunnerVariable[] = await buildJobVariables(ctx, {
    job,
    pipeline,
    project,
    user: user ?? null,
    commit: commit ? { message: commit.message, authorName: commit.author_name, authorEmail: commit.author_email, timestamp: commit.authored_date } : null,
    runner: { id: runner.id, description: runner.description, tags: runner.tagList },
    jobToken: token,
    repositoryUrl: repoUrl,
    ancestry: namespaces,
  });
  const queuedSeconds = job.queuedAt && job.startedAt ? (Date.parse(job.startedAt) - Date.parse(job.queuedAt)) / 1000 : 0;
  const rootNamespace = namespaces[namespaces.length - 1];
  const refType = pipeline.tag ? 'tag' : 'branch';
  return {
    id: job.id,
    token,
    allow_git_fetch: true,
    job_info: {
      id: job.id,
      name: job.name,
      stage: job.stage,
      project_id: project.id,
      project_name: project.name,
      project_full_path: project.fullPath,
      namespace_id: project.namespaceId,
      root_namespace_id: rootNamespace?.id ?? project.namespaceId,
      user_id: job.userId ?? 0,
      pipeline_id: pipeline.id,
      time_in_queue_seconds: Math.max(0, queuedSeconds),
      project_jobs_running_on_instance_runners_count: '+Inf',
    },
    git_info: {
      repo_url: repoUrl,
      ref: pipeline.ref,
      sha: pipeline.sha,
      before_sha: pipeline.beforeSha,
      ref_type: refType,
      refspecs: [`+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`, pipeline.tag ? `+refs/tags/${pipeline.ref}:refs/tags/${pipeline.ref}` : `+refs/heads/${pipeline.ref}:refs/remotes/origin/${pipeline.ref}`],
      depth: 20,
      repo_object_format: 'sha1',
      protected: job.protected,
    },
    runner_info: { timeout: timeoutSeconds, runner_session_url: null },
    variables,
    steps: steps(job, timeoutSeconds),
    hooks: Object.entries(job.spec.hooks ?? {}).map(([name, script]) => ({ name, script })),
    image: image(job.spec.image),
    services: job.spec.services.map((service) => Object.assign(image(service)!, service.alias ? { alias: service.alias } : {}, { command: service.command ?? null })),
    artifacts: artifactEntries(job),
    cache: job.spec.cache.map((cache) => ({
      key: typeof cache.key === 'string' ? cache.key : `${cache.key.prefix ?? ''}${cache.key.prefix ? '-' : ''}default`,
      untracked: cache.untracked,
      paths: cache.paths,
      policy: cache.policy,
      when: cache.when,
      fallback_keys: cache.fallback_keys,
    })),
    credentials: [],
    dependencies: await dependencyEntries(ctx, facts.dependencies, token),
    features: { trace_sections: true, token_mask_prefixes: TOKEN_MASK_PREFIXES, failure_reasons: RUNNER_FAILURE_REASONS },
  };
}
