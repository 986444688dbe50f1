import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { RetrySpec } from '../types.js';
import { checkDuration } from './durations.js';
import { checkKeys } from './shape.js';

/** `Gitlab::Ci::Status::Build::Failed.reasons.keys + ['always']` (GitLab 17). */
export const RETRY_WHEN = [
  'always', 'unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure', 'runner_system_failure',
  'missing_dependency_failure', 'runner_unsupported', 'stale_schedule', 'job_execution_timeout', 'archived_failure',
  'unmet_prerequisites', 'scheduler_failure', 'data_integrity_failure', 'forward_deployment_failure',
  'protected_environment_failure', 'pipeline_loop_detected', 'invalid_bridge_trigger', 'downstream_bridge_project_not_found',
  'upstream_bridge_project_not_found', 'insufficient_bridge_permissions', 'insufficient_upstream_permissions',
  'bridge_pipeline_is_child_pipeline', 'downstream_pipeline_creation_failed', 'secrets_provider_not_found',
  'reached_max_descendant_pipelines_depth', 'reached_max_pipeline_hierarchy_size', 'project_deleted', 'user_blocked',
  'ci_quota_exceeded', 'no_matching_runner', 'trace_size_exceeded', 'builds_disabled', 'environment_creation_failure',
  'deployment_rejected', 'ip_restriction_failure', 'failed_outdated_deployment_job', 'reached_downstream_pipeline_trigger_rate_limit',
];

/** Rails numericality with only_integer and 0..2, as "<subject> <message>". */
function checkMax(value: unknown, subject: string, problems: Problems): boolean {
  if (typeof value !== 'number') problems.error(subject, 'is not a number');
  else if (!Number.isInteger(value)) problems.error(subject, 'must be an integer');
  else if (value < 0) problems.error(subject, 'must be greater than or equal to 0');
  else if (value > 2) problems.error(subject, 'must be less than or equal to 2');
  else return true;
  return false;
}

/**
 * `retry:` — 0..2, or `{max, when, exit_codes}`. GitLab's Retry entries override `location` to the
 * bare word `retry` (entry/retry.rb), so their messages carry no job path: "retry max must be ...".
 */
export function parseRetry(value: unknown, problems: Problems): RetrySpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) {
    return checkMax(value, 'retry config', problems) ? { max: value, when: ['always'], exit_codes: [] } : null;
  }
  if (!isHash(value)) {
    problems.error('retry config', 'has to be either an integer or a hash');
    return null;
  }
  checkKeys(value, ['max', 'when', 'exit_codes'], 'retry', problems);
  const maxOk = value.max === undefined || value.max === null || checkMax(value.max, 'retry max', problems);
  let when = ['always'];
  if (typeof value.when === 'string') {
    if (!RETRY_WHEN.includes(value.when)) problems.error('retry when', 'is not included in the list');
    when = [value.when];
  } else if (Array.isArray(value.when) && value.when.every((w) => typeof w === 'string')) {
    const unknown = value.when.filter((w) => !RETRY_WHEN.includes(w));
    if (unknown.length > 0) problems.error('retry when', `contains unknown values: ${unknown.join(', ')}`);
    when = value.when as string[];
  } else if (value.when !== undefined && value.when !== null) problems.error('retry when', 'should be an array of strings or a string');
  const codes = value.exit_codes === undefined || value.exit_codes === null ? [] : Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes];
  if (codes.some((c) => !Number.isInteger(c))) problems.error('retry exit codes', 'should be an array of integers or an integer');
  return { max: maxOk && typeof value.max === 'number' ? value.max : 0, when, exit_codes: codes.filter(Number.isInteger) as number[] };
}

/** Project::MAX_BUILD_TIMEOUT is ActiveSupport's `1.month`: 30.436875 days. */
const MAX_BUILD_TIMEOUT = 2_629_746;

/** `timeout:` — a duration string (not a number) up to a month; the value is seconds. */
export function parseTimeout(value: unknown, path: string, problems: Problems): number | null {
  if (value === undefined || value === null) return null;
  return checkDuration(value, `${path} config`, problems, MAX_BUILD_TIMEOUT);
}
