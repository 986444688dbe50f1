import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Backoff, sleep } from './backoff.js';
import { combineSignals } from './api-client.js';
import type { ArtifactsContext } from './artifacts-uploader.js';
import { statusText } from './artifacts-uploader.js';
import type { StepResult } from './git-sources.js';
import type { JobDependency } from './job-payload.js';
import { errorMessage } from './logger.js';
import { errorLine, notice, warning } from './sections.js';
import { extractZip } from './zip-extract.js';

const DOWNLOAD_TIMEOUT = 60 * 60_000;

export function dependenciesWithArtifacts(deps: JobDependency[] | null | undefined): JobDependency[] {
  return (deps ?? []).filter((d) => Boolean(d.artifacts_file?.filename));
}

/** The download_artifacts stage: each dependency's archive, fetched with its token and unpacked into the project. */
export async function downloadArtifacts(ctx: ArtifactsContext & { tmpDir: string }): Promise<StepResult> {
  const attempts = Math.min(10, Math.max(1, Number.parseInt(ctx.vars.get('ARTIFACT_DOWNLOAD_ATTEMPTS'), 10) || 1));
  for (const dep of dependenciesWithArtifacts(ctx.job.dependencies)) {
    ctx.write(notice(`Downloading artifacts for ${dep.name ?? dep.id} (${dep.id})...`));
    const result = await downloadOne(ctx, dep, attempts);
    if (!result.ok) return result;
  }
  return { ok: true };
}

async function downloadOne(ctx: ArtifactsContext & { tmpDir: string }, dep: JobDependency, attempts: number): Promise<StepResult> {
  await fs.mkdir(ctx.tmpDir, { recursive: true });
  const file = path.join(ctx.tmpDir, `artifacts-${dep.id}.zip`);
  const label = 'Downloading artifacts from coordinator...';
  const tokenHint = `token=${dep.token.slice(0, 8)}`;
  const backoff = new Backoff(1000, 30_000);
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let status: number;
      try {
        const response = await fetch(ctx.api.url(`jobs/${dep.id}/artifacts`), {
          headers: ctx.api.headers({ jobToken: dep.token }),
          signal: combineSignals(AbortSignal.timeout(DOWNLOAD_TIMEOUT), ctx.signal),
        });
        status = response.status;
        if (status === 200 && response.body) {
          await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(file));
          ctx.write(`${label} ok  id=${dep.id} responseStatus=${statusText(status)} ${tokenHint}\n`);
          return await extract(ctx, file);
        }
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        if (ctx.signal.aborted) return { ok: false, exitCode: 1, message: 'artifact download interrupted' };
        ctx.write(warning(`${label} ${errorMessage(error)}  id=${dep.id} ${tokenHint}`));
        if (attempt < attempts) await sleep(backoff.next(), ctx.signal);
        continue;
      }
      const line = `${label} ${statusText(status)}  id=${dep.id} responseStatus=${statusText(status)} status=${status} ${tokenHint}`;
      if (status < 500) {
        ctx.write(errorLine(line));
        return { ok: false, exitCode: 1, message: `artifacts of job ${dep.id}: ${statusText(status)}` };
      }
      ctx.write(warning(line));
      if (attempt < attempts) await sleep(backoff.next(), ctx.signal);
    }
    ctx.write(errorLine(`${label} failed`));
    return { ok: false, exitCode: 1, message: `artifacts of job ${dep.id} could not be downloaded` };
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** A broken archive is not worth downloading again: it fails the job at once. */
async function extract(ctx: ArtifactsContext, file: string): Promise<StepResult> {
  try {
    const count = await extractZip(file, ctx.projectDir, (m) => ctx.write(warning(m)));
    ctx.write(`${count} files and directories extracted\n`);
    return { ok: true };
  } catch (error) {
    ctx.write(errorLine(`extracting artifacts: ${errorMessage(error)}`));
    return { ok: false, exitCode: 1, message: 'artifacts could not be extracted' };
  }
}
