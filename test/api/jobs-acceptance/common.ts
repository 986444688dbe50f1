/**
 * Shared fixtures for the Jobs API acceptance suite (shared/reference/gitlab-jobs-api-behavior.md §9).
 * Projects, members and pipelines are made the way a user makes them (API calls, real pushes); jobs are
 * driven through the engine like a runner would. Only artifact rows and job tokens, which have no upload or
 * runner API yet, are written to the store directly.
 */
import assert from 'node:assert/strict';
import type { ServiceContext } from '../../../src/services/context.js';
import { finishJob, startJob } from '../../../src/services/pipelines/job-lifecycle.js';
import { runArtifactsSizeRefreshes } from '../../../src/services/projects/project-statistics.js';
import { tokenDigest } from '../../../src/services/security/secrets.js';
import type { JobArtifact } from '../../../src/store/job-artifacts-repository.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import { addMember, createProject, createUser } from '../../helpers/fixtures.js';
import type { TestServer } from '../../helpers/server.js';

export const GUEST = 10;
export const REPORTER = 20;
export const DEVELOPER = 30;
export const MAINTAINER = 40;

export interface TestUser {
  id: number;
  username: string;
  token: string;
}

export interface Cast {
  dev: TestUser;
  rep: TestUser;
  gst: TestUser;
  mnt: TestUser;
  /** Signed in, member of nothing. */
  stranger: TestUser;
}

export async function createCast(t: TestServer): Promise<Cast> {
  const [dev, rep, gst, mnt, stranger] = [await createUser(t), await createUser(t), await createUser(t), await createUser(t), await createUser(t)];
  return { dev, rep, gst, mnt, stranger };
}

/** The shared setup's project P: private, `public_builds=false`, with dev/rep/gst/mnt members (made through the API). */
export async function privateProject(t: TestServer, cast: Cast, body: Record<string, unknown> = {}): Promise<any> {
  const project = await createProject(t, { visibility: 'private', public_jobs: false, ...body });
  await addMember(t, project.id, cast.dev.id, DEVELOPER);
  await addMember(t, project.id, cast.rep.id, REPORTER);
  await addMember(t, project.id, cast.gst.id, GUEST);
  await addMember(t, project.id, cast.mnt.id, MAINTAINER);
  return project;
}

export async function reload(ctx: ServiceContext, id: number): Promise<Job> {
  const job = await ctx.store.jobs.findById(id);
  assert.ok(job, `job ${id} exists`);
  return job;
}

/** A pending job taken by a "runner": pending → running. */
export async function start(ctx: ServiceContext, job: Job): Promise<Job> {
  const started = await startJob(ctx, await reload(ctx, job.id));
  assert.ok(started, `job ${job.name} (${job.status}) starts`);
  return started;
}

/** pending → running → success/failed, as a runner reports it. */
export async function run(ctx: ServiceContext, job: Job, outcome: 'success' | 'failed' = 'success'): Promise<Job> {
  const started = await start(ctx, job);
  const finished = await finishJob(ctx, started, outcome === 'success' ? { status: 'success' } : { status: 'failed', failureReason: 'script_failure' });
  assert.ok(finished, `job ${job.name} finishes`);
  return finished;
}

/** Gives a job a CI_JOB_TOKEN (as the runner issue will) and moves it to running. */
export async function runWithToken(ctx: ServiceContext, job: Job, token: string): Promise<Job> {
  await ctx.store.jobs.update(job.id, { tokenDigest: tokenDigest(token) });
  return start(ctx, job);
}

export type ArtifactKind = 'archive' | 'metadata' | 'trace' | 'junit';

/** GitLab's typical rows (§3.9): file_type/file_format/filename. */
export const ARTIFACT_KINDS: Record<ArtifactKind, { fileFormat: string; filename: string; size: number }> = {
  archive: { fileFormat: 'zip', filename: 'artifacts.zip', size: 106_365 },
  metadata: { fileFormat: 'gzip', filename: 'metadata.gz', size: 2_213 },
  trace: { fileFormat: 'raw', filename: 'job.log', size: 4_096 },
  junit: { fileFormat: 'gzip', filename: 'junit.xml.gz', size: 1_002 },
};

/**
 * Artifact rows for a job (no upload API yet). `stored: false` leaves `blobKey` null (a row whose file is
 * missing, e.g. a log not yet archived).
 */
export async function addArtifacts(
  ctx: ServiceContext,
  job: Job,
  kinds: ArtifactKind[],
  options: { expireAt?: string | null; stored?: boolean } = {},
): Promise<JobArtifact[]> {
  const rows: JobArtifact[] = [];
  for (const kind of kinds) {
    const { fileFormat, filename, size } = ARTIFACT_KINDS[kind];
    rows.push(
      await ctx.store.jobArtifacts.insert({
        projectId: job.projectId,
        jobId: job.id,
        fileType: kind,
        fileFormat,
        filename,
        size,
        sha256: null,
        blobKey: options.stored === false ? null : `artifacts/${job.projectId}/${job.id}/${kind}/${filename}`,
        expireAt: kind === 'trace' ? null : (options.expireAt ?? null),
        locked: false,
        createdAt: new Date().toISOString(),
      }),
    );
  }
  return rows;
}

export async function artifactRows(ctx: ServiceContext, jobId: number): Promise<JobArtifact[]> {
  return (await ctx.store.jobArtifacts.listByJobs([jobId])).get(jobId) ?? [];
}

/** ISO time `days` from now, in the database's form. */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Two times within `ms` of each other. */
export function assertTimeClose(actual: unknown, expected: string | null, what: string, ms = 1000): void {
  assert.ok(expected !== null, `${what}: expected a time`);
  assert.equal(typeof actual, 'string', `${what} is a string`);
  assert.ok(Math.abs(Date.parse(actual as string) - Date.parse(expected)) <= ms, `${what}: ${String(actual)} ≈ ${expected}`);
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The URL of the `Link` header's entry with `rel`, if any. */
export function linkUrl(headers: Headers, rel: string): string | undefined {
  const link = headers.get('link') ?? '';
  for (const part of link.split(',')) {
    const m = part.match(/<([^>]+)>;\s*rel="([^"]+)"/);
    if (m && m[2] === rel) return m[1];
  }
  return undefined;
}

/** The header names GitLab's offset pagination sends. */
export const OFFSET_HEADERS = ['x-per-page', 'x-page', 'x-next-page', 'x-prev-page', 'link'];

export const STATS_REFRESH_CONFLICT = { message: 'Action temporarily disabled. The project this pipeline belongs to is undergoing stats refresh.' };

/**
 * Queues a recount of the project's artifacts' size (as `conveyor refresh-artifacts-size` does) and keeps
 * every server's worker from stepping it until the answered `finish`, which runs it to its end.
 */
export async function holdArtifactsSizeRecount(t: TestServer, projectId: number): Promise<{ finish(): Promise<void> }> {
  const paused = t.servers.map((server) => {
    const statistics = server.app.ctx.store.projectStatistics;
    const nextRefresh = statistics.nextRefresh;
    statistics.nextRefresh = async () => undefined;
    return () => (statistics.nextRefresh = nextRefresh);
  });
  const ctx = t.server.app.ctx;
  assert.deepEqual(await ctx.store.projectStatistics.enqueueRefresh([projectId], new Date().toISOString()), [projectId]);
  return {
    async finish() {
      for (const resume of paused) resume();
      await runArtifactsSizeRefreshes(ctx);
      assert.equal(await ctx.store.projectStatistics.isRefreshing(projectId), false);
    },
  };
}
