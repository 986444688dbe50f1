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

/** Someone is reading this job's log: its runner should send more often for a while. */
export function markWatched(ctx: ServiceContext, jobId: number, forMs = WATCH_MS): void {
  const map = watched(ctx);
  if (map.size > 10_000) map.clear();
  map.set(jobId, Math.max(map.get(jobId) ?? 0, Date.now() + forMs));
}

export function traceUpdateInterval(ctx: ServiceContext, jobId: number): number {
  const until = watched(ctx).get(jobId);
  return until !== undefined && until > Date.now() ? WATCHED_INTERVAL_SECONDS : UNWATCHED_INTERVAL_SECONDS;
}
