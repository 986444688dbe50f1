import { badRequest, forbidden, notFound, recordNotFound } from '../../errors/api-error.js';
import type { JobArtifact } from '../../store/job-artifacts-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { findProjectJob } from '../jobs/jobs-query.js';
import { artifactProject, mayReadArtifact, readableArchive } from './artifact-access.js';
import { isExpired } from './artifact-expiry.js';
import { findEntry } from './archive-index.js';
import { artifactsLocked } from './latest-artifacts.js';
import type { ArchiveEntry } from './zip-archive.js';

export interface ArchiveDownload {
  project: Project;
  job: Job;
  archive: JobArtifact;
}

/** E12 `GET /projects/:id/jobs/:job_id/artifacts`: project → read_build → job → read_job_artifacts → archive (expiry not checked). */
export async function archiveByJob(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<ArchiveDownload> {
  const { project, actor: effective } = await artifactProject(ctx, actor, idOrPath, 'read_build');
  const job = await findProjectJob(ctx, project, jobId);
  return { project, job, archive: await readableArchive(ctx, effective, project, job) };
}

/** How many successful pipelines `search_recent_successful_pipelines` looks through. */
const RECENT_PIPELINES = 100;

/**
 * E13/E15's lookup (GitLab's `Project#latest_successful_build_for_ref!`): the newest successful pipeline
 * on the ref, then its same-project child pipelines, and the first non-retried build named `job` there
 * with a stored archive; no fallback to older pipelines unless `searchRecent` (GitLab 16.x's
 * `search_recent_successful_pipelines`) asks to look through the recent successful ones.
 */
export async function jobForRef(ctx: ServiceContext, project: Project, ref: string, jobName: string, searchRecent: boolean): Promise<Job> {
  const pipelines = await ctx.store.jobArtifacts.successfulPipelineIdsOnRef(project.id, ref, searchRecent ? RECENT_PIPELINES : 1);
  for (const pipelineId of pipelines) {
    const order = [pipelineId, ...(await ctx.store.jobArtifacts.childPipelineIds(project.id, pipelineId))];
    const found = await ctx.store.jobArtifacts.jobsWithArchive(order, jobName);
    found.sort((a, b) => order.indexOf(a.pipelineId) - order.indexOf(b.pipelineId) || a.jobId - b.jobId);
    if (found.length > 0) {
      const job = await ctx.store.jobs.findById(found[0].jobId);
      if (job) return job;
    }
  }
  throw recordNotFound();
}

/** E13 `GET /projects/:id/jobs/artifacts/:ref_name/download?job=`. */
export async function archiveByRef(ctx: ServiceContext, actor: Actor, idOrPath: string, ref: string, jobName: string, searchRecent: boolean): Promise<ArchiveDownload> {
  const { project, actor: effective } = await artifactProject(ctx, actor, idOrPath, 'read_build');
  const job = await jobForRef(ctx, project, ref, jobName, searchRecent);
  return { project, job, archive: await readableArchive(ctx, effective, project, job) };
}

/**
 * An artifact path as sent: percent-decoded bytes that must be valid UTF-8 without NUL (else GitLab's
 * `400 Bad request`). Names that climb out (`..` segments, absolute paths) can never be entries of an
 * accepted archive; they are refused the same way rather than looked up.
 */
export function parseArtifactPath(raw: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(percentDecode(raw));
  } catch {
    throw badRequest();
  }
  if (text === '' || text.includes('\u0000')) throw badRequest();
  if (/^[/\\]/.test(text) || /^[a-zA-Z]:/.test(text) || text.split(/[/\\]/).some((s) => s === '..')) throw badRequest();
  return text;
}

/** Percent-decoding to bytes (a `%` not followed by two hex digits stays as it is). */
function percentDecode(raw: string): Buffer {
  const source = Buffer.from(raw, 'utf8');
  const out = Buffer.alloc(source.length);
  let n = 0;
  const hex = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
  for (let i = 0; i < source.length; i++) {
    const hi = source[i] === 0x25 && i + 2 < source.length ? hex(source[i + 1]) : -1;
    const lo = hi >= 0 ? hex(source[i + 2]) : -1;
    if (lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      out[n++] = source[i];
    }
  }
  return out.subarray(0, n);
}

export interface FileDownload extends ArchiveDownload {
  entry: ArchiveEntry;
}

async function fileOf(ctx: ServiceContext, download: ArchiveDownload, path: string): Promise<FileDownload> {
  const entry = await findEntry(ctx, download.archive.blobKey!, path).catch(() => undefined);
  if (!entry) throw notFound();
  return { ...download, entry };
}

/**
 * E14 `GET /projects/:id/jobs/:job_id/artifacts/*artifact_path`: as E12, then the archive must be
 * available (not expired, unless it is the latest successful pipeline's on its ref: "keep latest
 * artifacts"), then the path (400) and the entry (404).
 */
export async function fileByJob(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number, rawPath: string): Promise<FileDownload> {
  const { project, actor: effective } = await artifactProject(ctx, actor, idOrPath, 'read_build');
  const job = await findProjectJob(ctx, project, jobId);
  const archive = await ctx.store.jobArtifacts.findByJobAndType(job.id, 'archive');
  if (archive && !(await mayReadArtifact(ctx, effective, project, archive))) throw forbidden();
  if (!archive || archive.blobKey === null) throw notFound();
  if (isExpired(archive.expireAt, ctx.clock.now()) && !(await artifactsLocked(ctx, job))) throw notFound();
  const path = parseArtifactPath(rawPath);
  return fileOf(ctx, { project, job, archive }, path);
}

/** E15 `GET /projects/:id/jobs/artifacts/:ref_name/raw/*artifact_path?job=`. */
export async function fileByRef(ctx: ServiceContext, actor: Actor, idOrPath: string, ref: string, jobName: string, rawPath: string, searchRecent: boolean): Promise<FileDownload> {
  const download = await archiveByRef(ctx, actor, idOrPath, ref, jobName, searchRecent);
  return fileOf(ctx, download, parseArtifactPath(rawPath));
}
