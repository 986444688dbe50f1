import { isHash } from '../deep-merge.js';
import { parseIncludeEntries } from '../includes.js';
import type { Problems } from '../problems.js';
import type { EnvironmentSpec, ParallelSpec, TriggerSpec } from '../types.js';
import { checkKeys } from './shape.js';

const ENVIRONMENT_ACTIONS = ['start', 'stop', 'prepare', 'verify', 'access'];
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
  if (!ENVIRONMENT_ACTIONS.includes(action)) problems.error(`${path} action`, 'should be start, stop, prepare, verify, or access');
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
  if (typeof value === 'string') {
    if (value === '') problems.error(path, "config can't be blank");
    return { kind: 'project', project: value, branch: null, strategy: null, forward: forwardDefaults };
  }
  if (!isHash(value)) {
    problems.error(path, 'has to be either a string or a hash');
    return null;
  }
  // Entry::Trigger::ComplexTrigger: with `include` a child pipeline, otherwise a cross-project one.
  const child = value.include !== undefined;
  checkKeys(value, child ? ['strategy', 'include', 'forward'] : ['project', 'branch', 'strategy', 'forward'], path, problems);
  if (!child) {
    if (typeof value.project !== 'string') problems.error(`${path} project`, 'should be a string');
    if (value.project === undefined || value.project === null || value.project === '') problems.error(`${path} project`, "can't be blank");
    if (value.branch !== undefined && value.branch !== null && typeof value.branch !== 'string') problems.error(`${path} branch`, 'should be a string');
  }
  if (value.strategy !== undefined && value.strategy !== null && value.strategy !== 'depend') problems.error(`${path} strategy`, 'should be depend');
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
  if (child) {
    const include = parseIncludeEntries(value.include, `${path}:include`, problems, true);
    if (include.length > 3) problems.error(`${path}:include`, 'config has too many items (maximum is 3)');
    return { kind: 'child', include, strategy, forward };
  }
  if (typeof value.project !== 'string' || value.project === '') return null;
  return { kind: 'project', project: value.project, branch: typeof value.branch === 'string' ? value.branch : null, strategy, forward };
}

/**
 * `parallel:` — a number 1..200 (not for bridges), or `matrix:` of variable lists whose products
 * sum to at most 200. Messages as Entry::Product::Parallel / Matrix word them.
 */
export function parseParallel(value: unknown, path: string, problems: Problems, bridge = false): ParallelSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    const valid = Number.isInteger(value) && value >= 1 && value <= 200;
    if (!Number.isInteger(value)) problems.error(path, 'config must be an integer');
    else if (value < 1) problems.error(path, 'config must be greater than or equal to 1');
    else if (value > 200) problems.error(path, 'config must be less than or equal to 200');
    if (bridge) problems.error(path, 'config cannot use "parallel: <number>".');
    return valid && !bridge ? { total: value } : null;
  }
  if (!isHash(value)) {
    problems.error(path, 'should be an integer or a hash');
    return null;
  }
  checkKeys(value, ['matrix'], path, problems);
  if (value.matrix === undefined) {
    problems.error(path, 'config missing required keys: matrix');
    return null;
  }
  if (!Array.isArray(value.matrix) || !value.matrix.every(isHash)) {
    problems.error(`${path}:matrix`, 'config should be an array of hashes');
    return null;
  }
  const matrix: Array<Record<string, string[]>> = [];
  for (const row of value.matrix as Array<Record<string, unknown>>) {
    const entry: Record<string, string[]> = {};
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
    const ok = Object.keys(row).length > 0 && Object.values(row).every((v) => scalar(v) || (Array.isArray(v) && v.length > 0 && v.every(scalar)));
    if (!ok) {
      problems.error(`${path}:matrix:variables`, 'config should be a hash of key value pairs, value can be an array');
      return null;
    }
    for (const [key, values] of Object.entries(row)) entry[key] = (Array.isArray(values) ? values : [values]).map(String);
    matrix.push(entry);
  }
  const total = matrix.reduce((sum, row) => sum + Object.values(row).reduce((product, list) => product * list.length, 1), 0);
  if (total > 200) problems.error(`${path}:matrix`, 'config generates too many jobs (maximum is 200)');
  return { matrix };
}
