import { parseDuration } from '../duration.js';
import type { Problems } from '../problems.js';

export const ONE_WEEK = 604_800;

/**
 * GitLab's DurationValidator: "should be a duration" when the value is not a String that
 * ChronicDuration parses, and, with a limit, "should not exceed the limit" whenever the limit check
 * fails — which it also does for an unparsable or non-String value (legacy_validation_helpers.rb
 * returns false there), so a bad value under a limit gets both messages.
 * `subject` is the key path plus the attribute, e.g. "jobs:x start in". Returns seconds, or null.
 */
export function checkDuration(value: unknown, subject: string, problems: Problems, limitSeconds: number | null): number | null {
  const seconds = typeof value === 'string' ? parseDuration(value) : null;
  if (seconds === null) problems.error(subject, 'should be a duration');
  // GitLab compares `value.from_now < limit.from_now`, evaluated in that order, so a value equal to
  // the limit passes (job_spec: `start_in: '1 week'` is valid).
  if (limitSeconds !== null && (seconds === null || seconds > limitSeconds)) problems.error(subject, 'should not exceed the limit');
  return seconds === null || (limitSeconds !== null && seconds > limitSeconds) ? null : seconds;
}
