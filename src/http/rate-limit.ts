import type { FastifyReply } from 'fastify';
import { ApiError } from '../errors/api-error.js';

/** GitLab's `check_rate_limit!` answer (Gitlab::ApplicationRateLimiter); no Retry-After on these paths. */
export const RATE_LIMITED_MESSAGE = 'This endpoint has been requested too many times. Try again later.';

interface Window {
  /** Start of the window, ms since the epoch. */
  start: number;
  count: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window ends, ms since the epoch. */
  resetAt: number;
}

/**
 * A fixed window per key, as GitLab's ApplicationRateLimiter keeps one (a counter that starts with the
 * first request and expires `interval` later). In memory: each process counts its own requests, which is
 * what a single Conveyor process needs; several processes behind one balancer each allow `limit`.
 * `limit` 0 turns the limiter off.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts one request for `key` and says whether it may proceed. */
  hit(key: string): RateLimitDecision {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now >= window.start + this.intervalMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    const allowed = window.count <= this.limit;
    return { allowed, limit: this.limit, remaining: Math.max(0, this.limit - window.count), resetAt: window.start + this.intervalMs };
  }

  /** Forgets ended windows once per interval, so idle users do not accumulate. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.intervalMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now >= window.start + this.intervalMs) this.windows.delete(key);
  }
}

/** `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (Unix seconds, as GitLab's throttles send it). */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(Math.ceil(decision.resetAt / 1000)),
  };
}

/**
 * Counts the request against `key`: sets the RateLimit-* headers, or throws GitLab's 429
 * `{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`.
 */
export function enforceRateLimit(limiter: FixedWindowLimiter, key: string, reply: FastifyReply): void {
  if (!limiter.enabled) return;
  const decision = limiter.hit(key);
  const headers = rateLimitHeaders(decision);
  if (!decision.allowed) throw new ApiError(429, { message: { error: RATE_LIMITED_MESSAGE } }, headers);
  reply.headers(headers);
}
