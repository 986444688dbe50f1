import { isHash } from '../deep-merge.js';
import { parseDuration } from '../duration.js';
import { parseIncludeEntries } from '../includes.js';
import type { Problems } from '../problems.js';
import type { EnvironmentSpec, ParallelSpec, RetrySpec, TriggerSpec } from '../types.js';
import { checkKeys, stringList } from './shape.js';

export const RETRY_WHEN = [
  'always', 'unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure', 'runner_system_failure',
  'runner_unsupported', 'stale_schedule', 'job_execution_timeout', 'archived_failure', 'unmet_prerequisites',
  'scheduler_failure', 'data_integrity_failure',
];

/** `retry:` — 0..2, or `{max, when, exit_codes}`. */
export function parseRetry(value: unknown, path: string, problems: Problems): RetrySpec | null {
  if (value === undefined || value === null) return null;
  const inRange = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 2;
  if (typeof value === 'number') {
    if (!inRange(value)) {
      problems.error(path, 'config should be an integer between 0 and 2');
      return null;
    }
    return { max: value, when: ['always'], exit_codes: [] };
  }
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash or an integer');
    return null;
  }
  checkKeys(value, ['max', 'when', 'exit_codes'], path, problems);
  if (value.max !== undefined && !inRange(value.max)) problems.error(`${path} max`, 'should be an integer between 0 and 2');
  const when = value.when === undefined ? ['always'] : stringList(value.when, `${path} when`, problems);
  const unknown = when.filter((w) => !RETRY_WHEN.includes(w));
  if (unknown.length > 0) problems.error(`${path} when`, `contains unknown values: ${unknown.join(', ')}`);
  const exitCodes = value.exit_codes === undefined ? [] : (Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes]);
  if (exitCodes.some((c) => !Number.isInteger(c))) problems.error(`${path} exit_codes`, 'should be an array of integers or an integer');
  return { max: typeof value.max === 'number' ? value.max : 0, when, exit_codes: exitCodes.filter(Number.isInteger) as number[] };
}

/** `timeout:` — a GitLab duration between 10 minutes... (GitLab accepts any positive duration up to 1 month). */
export function parseTimeout(value: unknown, path: string, problems: Problems): number | null {
  if (value === undefined || value === null) return null;
  const seconds = typeof value === 'string' || typeof value === 'number' ? parseDuration(String(value)) : null;
  if (seconds === null || seconds <= 0) {
    problems.error(path, 'config should be a duration');
    return null;
  }
  if (seconds > 2_629_746) {
    problems.error(path, 'config should not exceed the limit');
    return null;
  }
  return seconds;
}

const ENVIRONMENT_ACTIONS = ['start', 'prepare', 'stop', 'verify', 'access'];
const DEPLOYMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'];

/** `environment:` — a name, or `{name, url, action, on_stop, auto_stop_in, deployment_tier, kubernetes}`. */
export function parseEnvironment(value: unknown, path: string, problems: Problems): EnvironmentSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { name: value, action: 'start' };
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash or a string');
    return null;
  }
  checkKeys(value, ['name', 'url', 'action', 'on_stop', 'auto_stop_in', 'deployment_tier', 'kubernetes'], path, problems);
  if (typeof value.name !== 'string' || value.name === '') {
    problems.error(`${path} name`, "can't be blank");
    return null;
  }
  const action = value.action === undefined ? 'start' : String(value.action);
  if (!ENVIRONMENT_ACTIONS.includes(action)) problems.error(`${path} action`, `should be ${ENVIRONMENT_ACTIONS.join(', ')}`);
  if (value.deployment_tier !== undefined && !DEPLOYMENT_TIERS.includes(String(value.deployment_tier))) {
    problems.error(`${path} deployment tier`, `must be one of ${DEPLOYMENT_TIERS.join(', ')}`);
  }
  const spec: EnvironmentSpec = { name: value.name, action: action as EnvironmentSpec['action'] };
  if (typeof value.url === 'string') spec.url = value.url;
  if (typeof value.on_stop === 'string') spec.on_stop = value.on_stop;
  if (typeof value.auto_stop_in === 'string') spec.auto_stop_in = value.auto_stop_in;
  if (typeof value.deployment_tier === 'string') spec.deployment_tier = value.deployment_tier;
  if (isHash(value.kubernetes)) spec.kubernetes = value.kubernetes;
  return spec;
}

/** `trigger:` — a project path, `{project, branch, strategy, forward}`, or `{include, strategy, forward}` for a child pipeline. */
export function parseTrigger(value: unknown, path: string, problems: Problems): TriggerSpec | null {
  if (value === undefined || value === null) return null;
  const forwardDefaults = { yaml_variables: true, pipeline_variables: false };
  if (typeof value === 'string') return { kind: 'project', project: value, branch: null, strategy: null, forward: forwardDefaults };
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash or a string');
    return null;
  }
  checkKeys(value, ['project', 'branch', 'strategy', 'include', 'forward'], path, problems);
  if (value.strategy !== undefined && value.strategy !== 'depend') problems.error(`${path} strategy`, 'should be depend');
  const strategy = value.strategy === 'depend' ? 'depend' : null;
  let forward = forwardDefaults;
  if (value.forward !== undefined) {
    if (!isHash(value.forward)) problems.error(`${path}:forward`, 'config should be a hash');
    else {
      checkKeys(value.forward, ['yaml_variables', 'pipeline_variables'], `${path}:forward`, problems);
      forward = {
        yaml_variables: value.forward.yaml_variables !== false,
        pipeline_variables: value.forward.pipeline_variables === true,
      };
    }
  }
  if (value.include !== undefined) {
    if (value.project !== undefined) problems.error(path, 'config must specify either project or include');
    const include = parseIncludeEntries(value.include, `${path}:include`, problems, true);
    if (include.length > 3) problems.error(`${path}:include`, 'config has too many items (maximum is 3)');
    return { kind: 'child', include, strategy, forward };
  }
  if (typeof value.project !== 'string') {
    problems.error(path, 'config must specify either project or include');
    return null;
  }
  return { kind: 'project', project: value.project, branch: value.branch === undefined ? null : String(value.branch), strategy, forward };
}

/** `parallel:` — 1..200 copies, or `matrix:` of variable lists (each product at most 200). */
export function parseParallel(value: unknown, path: string, problems: Problems): ParallelSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 200) {
      problems.error(path, 'config must be a number between 1 and 200');
      return null;
    }
    return { total: value };
  }
  if (!isHash(value) || !Array.isArray(value.matrix)) {
    problems.error(path, 'should be an integer or a hash');
    return null;
  }
  checkKeys(value, ['matrix'], path, problems);
  const matrix: Array<Record<string, string[]>> = [];
  for (const row of value.matrix) {
    if (!isHash(row)) {
      problems.error(`${path}:matrix`, 'config should be an array of hashes');
      return null;
    }
    const entry: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(row)) {
      entry[key] = stringList(values, `${path}:matrix:variables`, problems, 'config should be a hash of string or array of strings');
    }
    matrix.push(entry);
  }
  const total = matrix.reduce((sum, row) => sum + Object.values(row).reduce((product, list) => product * Math.max(1, list.length), 1), 0);
  if (total > 200) problems.error(`${path}:matrix`, 'config generates too many jobs (maximum is 200)');
  return { matrix };
}
