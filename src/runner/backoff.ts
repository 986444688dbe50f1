import { setTimeout as delay } from 'node:timers/promises';

/** gitlab-runner's retry schedule: 100 ms doubling up to 60 s, with jitter so many runners do not align. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly min = 100,
    private readonly max = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.max, this.min * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    // Full jitter in the upper half keeps the growth visible while spreading retries.
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * How long the server asked us to wait: `RateLimit-ResetTime` (an HTTP date) first, then `Retry-After`
 * (seconds or an HTTP date), as gitlab-runner's retry requester reads them. Undefined when neither says.
 */
export function serverDelay(headers: Headers, now = Date.now()): number | undefined {
  const reset = headers.get('ratelimit-resettime');
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    if (/^\s*\d+\s*$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/** Waits `ms` or until `signal` aborts, whichever comes first; never throws. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the caller checks its own state
  }
}
