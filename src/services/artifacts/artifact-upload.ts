import { Transform, type Readable } from 'node:stream';
import { ApiError, invalidParam } from '../../errors/api-error.js';
import type { ArtifactAccessibility, JobArtifact } from '../../store/job-artifacts-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { checkArchive } from './archive-validation.js';
import { expireAtFor } from './artifact-expiry.js';
import { artifactSettings } from './artifact-settings.js';
import { accessibilityOf, ARTIFACT_FORMATS } from './artifact-types.js';
import { isUniqueViolation } from '../../store/db.js';

export interface UploadParams {
  artifactType?: string;
  artifactFormat?: string;
  expireIn?: string;
  accessibility?: string;
}

export interface CheckedUpload {
  fileType: string;
  fileFormat: 'zip' | 'gzip' | 'raw';
  expireAt: string | null;
  accessibility: ArtifactAccessibility;
  maxBytes: number;
}

const ACCESSIBILITIES = ['public', 'private', 'none'];


/** Grape's parameter checks and the model's type/format pairing, before a byte of the file is read. */
export async function checkUpload(ctx: ServiceContext, job: Job, params: UploadParams): Promise<CheckedUpload> {
  const fileType = params.artifactType ?? 'archive';
  const fileFormat = params.artifactFormat ?? 'zip';
  if (!Object.hasOwn(ARTIFACT_FORMATS, fileType)) throw invalidParam('artifact_type', 'does not have a valid value');
  if (!['raw', 'zip', 'gzip'].includes(fileFormat)) throw invalidParam('artifact_format', 'does not have a valid value');
  if (params.accessibility !== undefined && !ACCESSIBILITIES.includes(params.accessibility)) throw invalidParam('accessibility', 'does not have a valid value');
  if (ARTIFACT_FORMATS[fileType] !== fileFormat) throw new ApiError(400, { message: 'Validation failed: Invalid file format with specified file type' });
  const settings = await artifactSettings(ctx);
  const expiry = expireAtFor(params.expireIn, ctx.clock.now(), settings.defaultExpireIn);
  if (!expiry.ok) throw invalidParam('expire_in', 'is invalid');
  return {
    fileType,
    fileFormat: fileFormat as CheckedUpload['fileFormat'],
    expireAt: expiry.expireAt,
    accessibility: (params.accessibility as ArtifactAccessibility | undefined) ?? accessibilityOf(job),
    maxBytes: settings.maxBytes,
  };
}

export const tooLarge = () => new ApiError(413, { message: 'file size has reached maximum size limit' });

/** Passes bytes through until `max`, then fails the stream with 413 (the partial file is removed by `put`). */
function sizeLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(tooLarge());
      else done(null, chunk);
    },
  });
}

/** A file name to show for the artifact: the upload's base name without control characters, or GitLab's default. */
export function artifactFilename(uploaded: string | undefined, fileType: string, fileFormat: string): string {
  const base = (uploaded ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  if (base !== '' && base !== '.' && base !== '..') return base;
  if (fileType === 'archive') return 'artifacts.zip';
  return fileFormat === 'gzip' ? `${fileType}.gz` : fileType;
}

export type UploadResult = { status: 'created'; artifact: JobArtifact } | { status: 'unchanged' };

/**
 * Stores one uploaded artifact (GitLab's JobArtifacts::CreateService): the bytes go to a blob under a key the
 * server makes, through a size limit; a zip is checked before its row exists; a second upload of a type is
 * accepted only when it is the same file (sha256). Any failure leaves no blob and no row behind.
 */
export async function storeArtifact(ctx: ServiceContext, job: Job, upload: CheckedUpload, source: Readable, uploadedName?: string): Promise<UploadResult> {
  const key = `artifacts/${job.id}/${ctx.secrets.token('')}`;
  const limiter = sizeLimit(upload.maxBytes);
  source.on('error', (error) => limiter.destroy(error));
  const stored = await ctx.blobs.put(key, source.pipe(limiter));
  try {
    if (upload.fileFormat === 'zip') {
      const reader = await ctx.blobs.openReader(key);
      const check = reader ? await checkArchive(reader).finally(() => reader.close()) : { ok: false as const, reason: 'upload lost' };
      if (!check.ok) throw new ApiError(400, { message: `400 Bad request - ${check.reason}` });
    }
    const existing = await ctx.store.jobArtifacts.findByJobAndType(job.id, upload.fileType);
    if (existing) {
      if (existing.sha256 === stored.sha256) {
        await ctx.blobs.delete(key);
        return { status: 'unchanged' };
      }
      throw new ApiError(400, { message: 'another artifact of the same type already exists' });
    }
    // The repository keeps the archive's expiry on the job too: the dependency check reads it after the sweeper deleted the row.
    const artifact = await ctx.store.jobArtifacts
      .insert({
        projectId: job.projectId,
        jobId: job.id,
        fileType: upload.fileType,
        fileFormat: upload.fileFormat,
        filename: artifactFilename(uploadedName, upload.fileType, upload.fileFormat),
        size: stored.size,
        sha256: stored.sha256,
        blobKey: key,
        expireAt: upload.expireAt,
        locked: false,
        createdAt: isoNow(ctx),
        accessibility: upload.accessibility,
      })
      .catch((error: unknown) => {
        // A second upload of the type raced this one past the check above; anything else is no client's fault.
        if (isUniqueViolation(error)) throw new ApiError(400, { message: 'another artifact of the same type already exists' });
        throw error;
      });
    return { status: 'created', artifact };
  } catch (error) {
    await ctx.blobs.delete(key);
    throw error;
  }
}
