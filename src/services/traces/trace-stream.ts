import { COMPLETED_STATUSES, type JobStatus } from '../pipelines/status/job-status.js';
import type { ServiceContext } from '../context.js';
import { markWatched } from './trace-watchers.js';
import { readTrace, traceSize } from './traces.js';

export interface TraceStreamHandlers {
  /** New log text starting at byte `offset`; `next` is the byte offset after it (the SSE event id). */
  chunk(text: string, offset: number, next: number): void;
  /** The job finished and every byte was sent. */
  end(status: string): void;
}

/** Bytes that end inside a UTF-8 sequence wait for the rest, so every chunk decodes on its own. */
function completeUtf8Length(bytes: Buffer): number {
  let end = bytes.length;
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end = bytes.length - back;
    break;
  }
  return end;
}

const MAX_CHUNK = 256 * 1024;

/**
 * Follows a job's log from byte `from`: sends what is stored, then each append as it is stored (the
 * `trace-appended` event), then `end` once the job has finished and nothing is left. While someone
 * follows, the runner is told to send every 3 s. Returns a function that stops following.
 */
export function followTrace(ctx: ServiceContext, jobId: number, from: number, handlers: TraceStreamHandlers): () => void {
  let offset = from;
  let stopped = false;
  let busy = false;
  let again = false;

  const pump = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        markWatched(ctx, jobId);
        // Read the status first: a finished job's log is complete, so a last partial character is sent as is.
        const job = await ctx.store.jobs.findById(jobId);
        const finished = !job || COMPLETED_STATUSES.includes(job.status as JobStatus);
        const size = await traceSize(ctx, jobId);
        while (!stopped && offset < size) {
          const bytes = await readTrace(ctx, jobId, offset, Math.min(size, offset + MAX_CHUNK));
          const last = offset + bytes.length >= size;
          const usable = last && finished ? bytes.length : completeUtf8Length(bytes);
          if (usable === 0) break;
          handlers.chunk(bytes.subarray(0, usable).toString('utf8'), offset, offset + usable);
          offset += usable;
        }
        if (!stopped && finished && offset >= size) {
          stop();
          handlers.end(job?.status ?? 'unknown');
        }
      } while (again && !stopped);
    } finally {
      busy = false;
    }
  };
  const onAppend = (event: { jobId: number }) => {
    if (event.jobId === jobId) void pump().catch(() => undefined);
  };
  const onStatus = (event: { jobId: number }) => {
    if (event.jobId === jobId) void pump().catch(() => undefined);
  };
  // Appends from other server processes arrive without an event here: look again now and then.
  const poll = setInterval(() => void pump().catch(() => undefined), 2000);
  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    ctx.events.off('trace-appended', onAppend);
    ctx.events.off('job-status', onStatus);
  }
  ctx.events.on('trace-appended', onAppend);
  ctx.events.on('job-status', onStatus);
  void pump().catch(() => undefined);
  return stop;
}
