import { Readable } from 'node:stream';
import { Backoff, sleep } from './backoff.js';
import { combineSignals, type ApiClient } from './api-client.js';
import { archiveFilename, archiveStream } from './artifact-archive.js';
import { selectArtifactFiles } from './artifact-files.js';
import type { StepResult } from './git-sources.js';
import type { JobArtifact, JobPayload } from './job-payload.js';
import { errorLine, notice, warning } from './sections.js';
import { multipartFile } from './multipart.js';
import { expandValue, type VariableSet } from './variables.js';
import { errorMessage } from './logger.js';

export interface ArtifactsContext {
  api: ApiClient;
  job: JobPayload;
  projectDir: string;
  vars: VariableSet;
  write: (text: string) => void;
  signal: AbortSignal;
}

const ATTEMPTS = 3;
const UPLOAD_TIMEOUT = 60 * 60_000;

/** Whether an artifacts entry applies to a job that ended this way (`when`, default on_success). */
export function artifactApplies(artifact: JobArtifact, outcome: 'success' | 'failed'): boolean {
  const when = artifact.when || 'on_success';
  return when === 'always' || (when === 'on_success' && outcome === 'success') || (when === 'on_failure' && outcome === 'failed');
}

export function uploadQuery(artifact: JobArtifact): string {
  const query = new URLSearchParams();
  if (artifact.artifact_format) query.set('artifact_format', artifact.artifact_format);
  if (artifact.artifact_type) query.set('artifact_type', artifact.artifact_type);
  if (artifact.expire_in) query.set('expire_in', artifact.expire_in);
  const text = query.toString().replace(/\+/g, '%20');
  return text ? `?${text}` : '';
}

export function statusText(status: number): string {
  const texts: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Request Entity Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
  return `${status} ${texts[status] ?? ''}`.trim();
}

/** The upload_artifacts stage: every entry that applies, one request each, as gitlab-runner's artifacts-uploader. */
export async function uploadArtifacts(ctx: ArtifactsContext, outcome: 'success' | 'failed'): Promise<StepResult> {
  for (const artifact of ctx.job.artifacts ?? []) {
    if (!artifactApplies(artifact, outcome)) continue;
    const paths = (artifact.paths ?? []).map((p) => expandValue(p, (k) => ctx.vars.get(k)));
    if (paths.length === 0 && !artifact.untracked) continue;
    const result = await uploadOne(ctx, artifact, paths);
    if (!result.ok) return result;
  }
  return { ok: true };
}

async function uploadOne(ctx: ArtifactsContext, artifact: JobArtifact, paths: string[]): Promise<StepResult> {
  const type = artifact.artifact_type || 'archive';
  const format = artifact.artifact_format || 'zip';
  ctx.write(notice(type === 'archive' ? 'Uploading artifacts...' : `Uploading artifacts (${type})...`));
  const exclude = (artifact.exclude ?? []).map((p) => expandValue(p, (k) => ctx.vars.get(k)));
  const files = await selectArtifactFiles(ctx.projectDir, { paths, exclude, untracked: Boolean(artifact.untracked) }, (m) => ctx.write(warning(m)));
  if (files.length === 0) {
    ctx.write(errorLine('No files to upload'));
    return { ok: true };
  }
  ctx.write(`${files.length} matching artifact files and directories\n`);
  const name = artifact.name ? expandValue(artifact.name, (k) => ctx.vars.get(k)) : undefined;
  const filename = archiveFilename(name, format);
  const backoff = new Backoff(1000, 30_000);
  let url = ctx.api.url(`jobs/${ctx.job.id}/artifacts${uploadQuery(artifact)}`);
  const label = `Uploading artifacts as "${type}" to coordinator...`;
  const tokenHint = `token=${ctx.job.token.slice(0, 8)}`;
  let redirects = 0;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let status: number;
    let location: string | null = null;
    try {
      const part = multipartFile('file', filename, archiveStream(files, format));
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...ctx.api.headers({ jobToken: ctx.job.token }), 'Content-Type': part.contentType },
        body: Readable.toWeb(Readable.from(part.body)) as ReadableStream<Uint8Array>,
        duplex: 'half',
        redirect: 'manual',
        signal: combineSignals(AbortSignal.timeout(UPLOAD_TIMEOUT), ctx.signal),
      } as RequestInit & { duplex: 'half' });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
      location = response.headers.get('location');
    } catch (error) {
      if (ctx.signal.aborted) return { ok: false, exitCode: 1, message: 'artifact upload interrupted' };
      ctx.write(warning(`${label} ${errorMessage(error)}  id=${ctx.job.id} ${tokenHint}`));
      await sleep(backoff.next(), ctx.signal);
      continue;
    }
    if (status === 201) {
      ctx.write(`${label} ${statusText(status)}  id=${ctx.job.id} responseStatus=${statusText(status)} ${tokenHint}\n`);
      return { ok: true };
    }
    if (status === 307 && location && redirects++ < 5) {
      // gitlab-runner keeps the redirect's scheme and host but our path and query.
      const target = new URL(location, url);
      const next = new URL(url);
      next.protocol = target.protocol;
      next.host = target.host;
      url = next.toString();
      attempt--;
      continue;
    }
    const line = `${label} ${statusText(status)}  id=${ctx.job.id} responseStatus=${statusText(status)} status=${status} ${tokenHint}`;
    if (status === 403 || status === 413) {
      ctx.write(errorLine(line));
      return { ok: false, exitCode: 1, message: status === 413 ? 'too large archive' : 'forbidden' };
    }
    ctx.write(warning(line));
    if (attempt < ATTEMPTS) await sleep(backoff.next(), ctx.signal);
  }
  ctx.write(errorLine(`${label} failed after ${ATTEMPTS} attempts`));
  return { ok: false, exitCode: 1, message: 'artifact upload failed' };
}
