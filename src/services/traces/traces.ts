import type { Readable } from 'node:stream';
import type { Job } from '../../store/jobs-repository.js';
import { isoNow, type ServiceContext } from '../context.js';
import { longestSecret, maskSecrets } from './trace-masking.js';

/** GitLab's default `ci_jobs_trace_size_limit`: 100 MiB per job log. */
export const TRACE_SIZE_LIMIT = 100 * 1024 * 1024;

export const traceKey = (jobId: number) => `traces/${jobId}.log`;

export type AppendResult =
  | { status: 'appended'; size: number }
  /** The patch did not start where the log ends: nothing stored, the runner resends from `size`. */
  | { status: 'range-mismatch'; size: number }
  | { status: 'too-large'; size: number };

const locksByContext = new WeakMap<ServiceContext, Map<number, Promise<unknown>>>();
/** The last bytes this process stored per job, so masking across a patch boundary needs no read. */
const tailsByContext = new WeakMap<ServiceContext, Map<number, { size: number; tail: Buffer }>>();

function tails(ctx: ServiceContext): Map<number, { size: number; tail: Buffer }> {
  let found = tailsByContext.get(ctx);
  if (!found) tailsByContext.set(ctx, (found = new Map()));
  return found;
}

async function storedTail(ctx: ServiceContext, jobId: number, size: number, length: number): Promise<Buffer> {
  if (length === 0) return Buffer.alloc(0);
  const cached = tails(ctx).get(jobId);
  if (cached && cached.size === size && cached.tail.length >= length) return cached.tail.subarray(cached.tail.length - length);
  return ctx.blobs.read(traceKey(jobId), size - length, size);
}

/** Appends to one job's log run one after another in this process; across processes the row's conditional update decides. */
function serialized<T>(ctx: ServiceContext, jobId: number, work: () => Promise<T>): Promise<T> {
  let locks = locksByContext.get(ctx);
  if (!locks) locksByContext.set(ctx, (locks = new Map()));
  const previous = locks.get(jobId) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.then(() => undefined, () => undefined);
  locks.set(jobId, settled);
  void settled.then(() => {
    if (locks.get(jobId) === settled) locks.delete(jobId);
  });
  return next;
}

/**
 * Masks the secrets in an append: those inside `fresh`, and those split between the stored `tail` and
 * `fresh`, without copying the (64 KiB) append when it holds none. `before` is the stored tail again when
 * a split secret changed it (to be rewritten with the append), else empty.
 */
function maskAppend(tail: Buffer, fresh: Buffer, secrets: readonly Buffer[]): { before: Buffer; body: Buffer } {
  const seam = Buffer.concat([tail, fresh.subarray(0, tail.length)]);
  const maskedSeam = maskSecrets(seam, secrets, tail.length);
  let body: Buffer = fresh;
  let before: Buffer = Buffer.alloc(0);
  if (maskedSeam !== seam) {
    body = Buffer.from(fresh);
    maskedSeam.copy(body, 0, tail.length);
    if (!maskedSeam.subarray(0, tail.length).equals(tail)) before = maskedSeam.subarray(0, tail.length);
  }
  return { before, body: maskSecrets(body, secrets) };
}

/**
 * `PATCH /jobs/:id/trace`: stores `bytes` at offset `start` of the job's log. Bytes the log already holds
 * are acknowledged again without being written (a resend after a lost reply is harmless); a gap is refused.
 * Secrets are masked (same length) even across the boundary with what is stored; the bytes are on disk
 * before the stored length moves, and the length moves before the caller hears 202.
 */
export function appendTrace(ctx: ServiceContext, job: Job, start: number, bytes: Buffer, secrets: readonly Buffer[]): Promise<AppendResult> {
  return serialized(ctx, job.id, async () => {
    const size = await ctx.store.jobTraces.size(job.id);
    if (start > size) return { status: 'range-mismatch', size };
    const fresh = bytes.subarray(Math.min(bytes.length, size - start));
    if (fresh.length === 0) return { status: 'appended', size };
    if (size + fresh.length > TRACE_SIZE_LIMIT) return { status: 'too-large', size };
    const longest = longestSecret(secrets);
    const lookBack = Math.min(size, Math.max(0, longest - 1));
    const tail = await storedTail(ctx, job.id, size, lookBack);
    const { before, body } = maskAppend(tail, fresh, secrets);
    await ctx.blobs.writeAt(traceKey(job.id), size - before.length, before.length > 0 ? Buffer.concat([before, body]) : body);
    const newSize = size + fresh.length;
    if (!(await ctx.store.jobTraces.advance(job.id, size, newSize, isoNow(ctx)))) {
      return { status: 'range-mismatch', size: await ctx.store.jobTraces.size(job.id) };
    }
    const keep = Math.min(size + fresh.length, Math.max(0, longest - 1));
    const cache = tails(ctx);
    if (cache.size > 10_000) cache.clear();
    const newTail = body.length >= keep ? body.subarray(body.length - keep) : Buffer.concat([tail, body]).subarray(tail.length + body.length - keep);
    cache.set(job.id, { size: newSize, tail: Buffer.from(newTail) });
    ctx.events.emit('trace-appended', { jobId: job.id, size: newSize });
    return { status: 'appended', size: newSize };
  });
}

export function traceSize(ctx: ServiceContext, jobId: number): Promise<number> {
  return ctx.store.jobTraces.size(jobId);
}

/** The stored log, bytes [start, end) clamped to what is stored. */
export async function readTrace(ctx: ServiceContext, jobId: number, start = 0, end?: number): Promise<Buffer> {
  const size = await ctx.store.jobTraces.size(jobId);
  return ctx.blobs.read(traceKey(jobId), Math.min(start, size), Math.min(end ?? size, size));
}

export function streamTrace(ctx: ServiceContext, jobId: number, start: number, end: number): Readable {
  return ctx.blobs.stream(traceKey(jobId), start, end);
}

/** Erasing a job removes its log. */
export async function deleteTrace(ctx: ServiceContext, jobId: number): Promise<void> {
  tails(ctx).delete(jobId);
  await ctx.store.jobTraces.delete(jobId);
  await ctx.blobs.delete(traceKey(jobId));
}
