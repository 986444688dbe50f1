import { isNever, parseDuration } from '../../ci-config/duration.js';

/** GitLab's `default_artifacts_expire_in`: artifacts uploaded without `expire_in` live this long. */
export const DEFAULT_EXPIRE_IN = '30 days';

export type ExpireIn = { ok: true; expireAt: string | null } | { ok: false };

/**
 * `expire_in` in ChronicDuration's syntax (`30 mins`, `1 week`, `3 days 4 hrs`, `3600`), or `never`
 * (case-insensitive) for no expiry; absent or empty means the instance default. A text that is not a
 * duration is refused, as GitLab's `DurationParser` refuses it.
 */
export function expireAtFor(expireIn: string | undefined, now: Date, defaultExpireIn = DEFAULT_EXPIRE_IN): ExpireIn {
  const text = expireIn === undefined || expireIn.trim() === '' ? defaultExpireIn : expireIn;
  if (isNever(text)) return { ok: true, expireAt: null };
  const seconds = parseDuration(text);
  if (seconds === null || seconds > 1000 * 365 * 86_400) return { ok: false };
  return { ok: true, expireAt: new Date(now.getTime() + seconds * 1000).toISOString() };
}

export const isExpired = (expireAt: string | null, now: Date): boolean => expireAt !== null && Date.parse(expireAt) <= now.getTime();
