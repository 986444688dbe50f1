import { isHash } from '../deep-merge.js';
import { compileRegexLiteral } from '../expression/regex.js';
import type { Problems } from '../problems.js';
import type { When } from '../types.js';
import { checkDuration, ONE_WEEK } from './durations.js';
import { checkKeys } from './shape.js';

const JOB_WHEN: When[] = ['on_success', 'on_failure', 'always', 'manual', 'delayed'];
const BRIDGE_WHEN: When[] = ['on_success', 'on_failure', 'always', 'manual'];
const MAX_TAGS = 50;

/** Job/Bridge `validates :when, type: String, inclusion: ...` (own-level: "jobs:x when ..."). */
export function checkWhen(raw: unknown, path: string, problems: Problems, bridge: boolean): When {
  if (raw === undefined || raw === null) return 'on_success';
  const allowed = bridge ? BRIDGE_WHEN : JOB_WHEN;
  if (typeof raw !== 'string') problems.error(`${path} when`, 'should be a string');
  if (!allowed.includes(raw as When)) {
    problems.error(`${path} when`, `should be one of: ${allowed.join(', ')}`);
    return 'on_success';
  }
  return raw as When;
}

/** `start_in`: a duration of at most a week when `when: delayed`, absent otherwise (and absent under rules). */
export function checkStartIn(raw: Record<string, unknown>, when: When, path: string, problems: Problems): string | null {
  const delayed = when === 'delayed';
  const subject = `${path} start in`;
  const seconds = delayed ? checkDuration(raw.start_in, subject, problems, ONE_WEEK) : null;
  if ((raw.rules !== undefined || !delayed) && raw.start_in !== undefined && raw.start_in !== null) problems.error(subject, 'must be blank');
  return seconds === null || raw.rules !== undefined ? null : (raw.start_in as string);
}

/** Own-level `allow_failure` type check (`hash_or_boolean`, bridges: boolean); the hash's exit codes are the AllowFailure entry's. */
export function checkAllowFailureType(value: unknown, path: string, problems: Problems, bridge: boolean): void {
  if (value === undefined || value === null || typeof value === 'boolean') return;
  if (!bridge && isHash(value)) return;
  problems.error(`${path} allow failure`, bridge ? 'should be a boolean value' : 'should be a hash or a boolean value');
}

/** The AllowFailure entry: `{exit_codes: 1}` or `{exit_codes: [1, 2]}` makes the job not allowed to fail except on those codes. */
export function parseAllowFailure(value: unknown, path: string, problems: Problems): { allow: boolean | null; exitCodes: number[] | null } {
  if (typeof value === 'boolean') return { allow: value, exitCodes: null };
  if (!isHash(value)) return { allow: null, exitCodes: null };
  checkKeys(value, ['exit_codes'], `${path}:allow_failure`, problems);
  const codes = Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes];
  if (codes.some((c) => !Number.isInteger(c))) {
    problems.error(`${path}:allow_failure exit codes`, 'should be an array of integers or an integer');
    return { allow: null, exitCodes: null };
  }
  return { allow: false, exitCodes: codes as number[] };
}

/** The Tags entry: an array of strings, fewer than 50. */
export function parseTags(value: unknown, path: string, problems: Problems): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) {
    problems.error(path, 'config should be an array of strings');
    return [];
  }
  if (value.length >= MAX_TAGS) problems.error(path, `config must be less than the limit of ${MAX_TAGS} tags`);
  return value as string[];
}

/** The Coverage entry: a `/.../` literal that compiles as RE2; the value kept is the pattern between the slashes. */
export function parseCoverage(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !compileRegexLiteral(value).ok) {
    problems.error(path, 'config must be a regular expression with re2 syntax');
    return null;
  }
  return value.slice(1, value.lastIndexOf('/'));
}
