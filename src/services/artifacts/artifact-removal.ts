import type { JobArtifact } from '../../store/job-artifacts-repository.js';
import type { ServiceContext } from '../context.js';
import { forgetArchive } from './archive-index.js';

/** Deletes the stored files of artifacts whose rows are gone (a file shared with the live log is the log's to delete). */
export async function deleteArtifactFiles(ctx: ServiceContext, keys: Array<string | null>): Promise<void> {
  for (const key of keys) {
    if (key === null || !key.startsWith('artifacts/')) continue;
    forgetArchive(ctx, key);
    await ctx.blobs.delete(key);
  }
}

/** Deletes rows first (the database decides who removed them), then the files of the rows this call removed. */
export async function removeArtifacts(ctx: ServiceContext, artifacts: JobArtifact[]): Promise<JobArtifact[]> {
  const removed = await ctx.store.jobArtifacts.deleteByIds(artifacts.map((a) => a.id));
  await deleteArtifactFiles(ctx, removed.map((a) => a.blobKey));
  return removed;
}
