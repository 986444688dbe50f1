import type { Job } from '../../store/jobs-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { finishJob } from '../pipelines/job-lifecycle.js';
import { loadCiVariables } from '../pipelines/job-variables.js';
import { tokenDigest } from '../security/secrets.js';
import { RUNNER_FAILURE_REASONS } from '../queue/job-payload.js';
import { traceSize } from '../traces/traces.js';

/** A job a runner is working on answers its runner's calls while it runs or is being canceled. */
const PROCESSING_STATUSES = ['running', 'canceling'];

export type RunnerJobAccess =
  | { status: 'ok'; job: Job }
  | { status: 'not-found' }
  /** A wrong token, or a job that is no longer running: 403, with `Job-Status` when the job is known. */
  | { status: 'forbidden'; jobStatus?: string };

/**
 * The job of `PUT /jobs/:id`, `PATCH /jobs/:id/trace` and artifact uploads: the token (body `token` or
 * `JOB-TOKEN`) must be this job's own and the job must still be processing on its runner.
 */
export async function authenticateRunnerJob(ctx: ServiceContext, jobId: number, token: unknown): Promise<RunnerJobAccess> {
  const job = await ctx.store.jobs.findById(jobId);
  if (!job || job.type !== 'build') return { status: 'not-found' };
  if (typeof token !== 'string' || token === '' || job.tokenDigest === null || job.tokenDigest !== tokenDigest(token)) return { status: 'forbidden' };
  if (!PROCESSING_STATUSES.includes(job.status) || job.erasedAt !== null) return { status: 'forbidden', jobStatus: job.status };
  return { status: 'ok', job };
}

export interface RunnerJobUpdate {
  state: 'running' | 'pending' | 'success' | 'failed';
  failureReason?: string;
  exitCode?: number;
  /** `output.bytesize`: how long the runner says the log is. */
  bytesize?: number;
}

export type RunnerJobUpdateResult =
  | { status: 'done'; job: Job }
  /** The runner's log is longer than what is stored: it should send the rest and report again. */
  | { status: 'trace-incomplete'; job: Job };

/**
 * `PUT /jobs/:id`: `running` (or a two-phase `pending`) is a keep-alive; `success` and `failed` finish the
 * job (a job being canceled ends `canceled` either way). Failure reasons GitLab does not know are stored as
 * `unknown_failure`.
 */
export async function updateJobFromRunner(ctx: ServiceContext, job: Job, update: RunnerJobUpdate): Promise<RunnerJobUpdateResult> {
  if (update.state === 'running' || update.state === 'pending') {
    await touchJob(ctx, job);
    return { status: 'done', job };
  }
  if (update.bytesize !== undefined && update.bytesize > (await traceSize(ctx, job.id))) return { status: 'trace-incomplete', job };
  const finished = update.state === 'success'
    ? await finishJob(ctx, job, { status: 'success' })
    : await finishJob(ctx, job, {
      status: 'failed',
      failureReason: update.failureReason && RUNNER_FAILURE_REASONS.includes(update.failureReason) ? update.failureReason : 'unknown_failure',
      exitCode: update.exitCode ?? null,
    });
  forgetSecrets(ctx, job.id);
  return { status: 'done', job: finished ?? (await ctx.store.jobs.findById(job.id)) ?? job };
}

/**
 * The runner is alive: keep-alives and log patches refresh `updated_at`, which the lost-runner sweep
 * reads. They come every few seconds; the sweep only needs the last minute, so most are not written.
 */
export async function touchJob(ctx: ServiceContext, job: Job): Promise<void> {
  if (ctx.clock.now().getTime() - Date.parse(job.updatedAt) > 60_000) await ctx.store.jobs.update(job.id, { updatedAt: isoNow(ctx) });
}

const secretsByContext = new WeakMap<ServiceContext, Map<number, Buffer[]>>();

/**
 * What must never reach a stored log of this job: its token and its masked CI/CD variables (GitLab masks
 * values of 8 characters or more). Computed once per running job.
 */
export async function jobSecrets(ctx: ServiceContext, job: Job, token: string): Promise<Buffer[]> {
  let cache = secretsByContext.get(ctx);
  if (!cache) secretsByContext.set(ctx, (cache = new Map()));
  const known = cache.get(job.id);
  if (known) return known;
  const project = await ctx.store.projects.findById(job.projectId);
  const masked = project ? (await loadCiVariables(ctx, project)).filter((v) => v.masked && v.value.length >= 8).map((v) => v.value) : [];
  const secrets = [...new Set([token, ...masked])].map((value) => Buffer.from(value));
  if (cache.size > 10_000) cache.clear();
  cache.set(job.id, secrets);
  return secrets;
}

function forgetSecrets(ctx: ServiceContext, jobId: number): void {
  secretsByContext.get(ctx)?.delete(jobId);
}
