import crypto from 'node:crypto';
import type { ServiceContext } from '../context.js';
import { traceKey, traceSize } from '../traces/traces.js';

/**
 * Archives a finished job's log as its `trace` artifact (`job.log`, raw, never expires), GitLab's
 * ArchiveTraceService. The artifact row points at the stored log itself, so nothing is copied; erase
 * removes both. Safe to run twice (one artifact per type and job).
 */
export async function archiveTrace(ctx: ServiceContext, jobId: number): Promise<boolean> {
  const job = await ctx.store.jobs.findById(jobId);
  if (!job || job.type !== 'build' || job.erasedAt !== null) return false;
  const size = await traceSize(ctx, jobId);
  if (size === 0 || (await ctx.store.jobArtifacts.findByJobAndType(jobId, 'trace'))) return false;
  const key = traceKey(jobId);
  const hash = crypto.createHash('sha256');
  for await (const chunk of ctx.blobs.stream(key, 0, size)) hash.update(chunk as Buffer);
  try {
    await ctx.store.jobArtifacts.insert({
      projectId: job.projectId, jobId, fileType: 'trace', fileFormat: 'raw', filename: 'job.log', size, sha256: hash.digest('hex'),
      blobKey: key, expireAt: null, locked: false, createdAt: ctx.clock.now().toISOString(),
    });
    return true;
  } catch {
    return false;
  }
}
