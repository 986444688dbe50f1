import type { ServiceContext } from '../context.js';

/** How long a look at a job's log counts as someone watching it. */
const WATCH_MS = 60_000;
/** GitLab's `X-GitLab-Trace-Update-Interval`: seconds between log patches, short while someone watches. */
export const WATCHED_INTERVAL_SECONDS = 3;
export const UNWATCHED_INTERVAL_SECONDS = 30;

const watchedByContext = new WeakMap<ServiceContext, Map<number, number>>();

function watched(ctx: ServiceContext): Map<number, number> {
  let found = watchedByContext.get(ctx);
  if (!found) watchedByContext.set(ctx, (found = new Map()));
  return found;
}

function extend(ctx: ServiceContext, jobId: number, forMs: number): number | undefined {
  const map = watched(ctx);
  if (map.size > 10_000) map.clear();
  const before = map.get(jobId);
  map.set(jobId, Math.max(before ?? 0, Date.now() + forMs));
  return before;
}

/**
 * Someone is reading this job's log: its runner should send more often for a while. The runner's patches
 * may reach any process, so the others hear it too (`trace-watched`), at most every half window per job.
 */
export function markWatched(ctx: ServiceContext, jobId: number, forMs = WATCH_MS): void {
  const before = extend(ctx, jobId, forMs);
  if (before === undefined || before < Date.now() + forMs / 2) ctx.events.emit('trace-watched', { jobId, forMs });
}

/** Takes other processes' watchers into this one's answers to runners. */
export function registerTraceWatchers(ctx: ServiceContext): void {
  ctx.events.on('trace-watched', (event) => {
    if (event.remote) extend(ctx, event.jobId, event.forMs);
  });
}

export function traceUpdateInterval(ctx: ServiceContext, jobId: number): number {
  const until = watched(ctx).get(jobId);
  return until !== undefined && until > Date.now() ? WATCHED_INTERVAL_SECONDS : UNWATCHED_INTERVAL_SECONDS;
}
