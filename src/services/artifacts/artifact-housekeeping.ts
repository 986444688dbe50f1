import { LockKind } from '../../store/advisory-locks.js';
import type { ServiceContext } from '../context.js';
import { runArtifactsSizeRefreshes } from '../projects/project-statistics.js';
import { deleteArtifactFiles } from './artifact-removal.js';
import { sweepExpiredArtifacts } from './artifact-sweeper.js';
import { archiveTrace } from './trace-artifact.js';

const FINISHED = new Set(['success', 'failed', 'canceled']);
/** Recount steps (of 1,000 artifacts each) a process takes per tick. */
const RECOUNT_STEPS_PER_TICK = 20;

/**
 * What artifacts need beside requests, started once per server process: a finished job's log becomes its
 * `trace` artifact, an erased job's files are deleted, expired artifacts are swept every `sweepMs`, and
 * queued recounts of projects' artifacts' size run (one process at a time) every `recountMs`.
 * Answers a function that stops the timers.
 */
export function startArtifactHousekeeping(ctx: ServiceContext, log: (error: unknown, what: string) => void, sweepMs = 60_000, recountMs = 2_000): () => void {
  ctx.events.on('job-status', (event) => {
    if ((event as { remote?: boolean }).remote || event.type !== 'build' || !FINISHED.has(event.to)) return;
    ctx.events.track(() => archiveTrace(ctx, event.jobId).catch((error: unknown) => log(error, 'archiving a job log failed')));
  });
  ctx.events.on('job-erased', (event) => {
    ctx.events.track(() => deleteArtifactFiles(ctx, event.artifacts).catch((error: unknown) => log(error, 'deleting erased artifacts failed')));
  });
  const timer = setInterval(() => {
    ctx.events.track(() => sweepExpiredArtifacts(ctx).catch((error: unknown) => log(error, 'sweeping expired artifacts failed')));
  }, sweepMs);
  timer.unref();
  let recounting = false;
  const recounts = setInterval(() => {
    if (recounting) return;
    recounting = true;
    ctx.events.track(() =>
      ctx.store.locks
        // A bounded share per tick: a shutdown does not wait for a whole recount, nor do other duties for the lock.
        .ifFree(LockKind.duty, 3, () => runArtifactsSizeRefreshes(ctx, RECOUNT_STEPS_PER_TICK))
        .catch((error: unknown) => log(error, 'recounting artifacts sizes failed'))
        .finally(() => (recounting = false)),
    );
  }, recountMs);
  recounts.unref();
  return () => {
    clearInterval(timer);
    clearInterval(recounts);
  };
}
