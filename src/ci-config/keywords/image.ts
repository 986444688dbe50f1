import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { ImageSpec, ServiceSpec } from '../types.js';
import { checkKeys, stringList } from './shape.js';
import { parseVariables } from './variables.js';

const PULL_POLICIES = ['always', 'never', 'if-not-present'];

/** Imageable's shared checks: `validates :name, type: String, presence: true`, entrypoint strings, pull policies. */
function common(value: Record<string, unknown>, path: string, problems: Problems): ImageSpec | null {
  const name = value.name;
  if (typeof name !== 'string') problems.error(`${path} name`, 'should be a string');
  if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) problems.error(`${path} name`, "can't be blank");
  if (typeof name !== 'string' || name.trim() === '') return null;
  const spec: ImageSpec = { name };
  if (value.entrypoint !== undefined) {
    if (!Array.isArray(value.entrypoint) || value.entrypoint.some((e) => typeof e !== 'string')) problems.error(`${path} entrypoint`, 'should be an array of strings');
    else spec.entrypoint = value.entrypoint as string[];
  }
  if (value.pull_policy !== undefined) {
    const policies = stringList(value.pull_policy, `${path}:pull_policy`, problems);
    if (policies.some((p) => !PULL_POLICIES.includes(p))) problems.error(`${path}:pull_policy`, 'config contains an invalid pull policy');
    spec.pull_policy = policies;
  }
  if (isHash(value.docker)) spec.docker = value.docker;
  return spec;
}

/** `image:` — `name:tag` or `{name, entrypoint, pull_policy, docker}`. */
export function parseImage(value: unknown, path: string, problems: Problems): ImageSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return common({ name: value }, path, problems);
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash or a string');
    // Imageable#value is {} for other types, so the `name` validations fail as well.
    return common({}, path, problems);
  }
  checkKeys(value, ['name', 'entrypoint', 'pull_policy', 'docker'], path, problems);
  return common(value, path, problems);
}

/** `services:` — a list of images, each with optional alias, command and variables. */
export function parseServices(value: unknown, path: string, problems: Problems): ServiceSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.error(path, 'config should be a array');
    return [];
  }
  const services: ServiceSpec[] = [];
  value.forEach((item, i) => {
    const itemPath = `${path}:service`;
    if (typeof item === 'string') {
      const service = common({ name: item }, itemPath, problems);
      if (service) services.push(service);
      return;
    }
    if (!isHash(item)) {
      problems.error(itemPath, 'config should be a hash or a string');
      common({}, itemPath, problems);
      return;
    }
    checkKeys(item, ['name', 'entrypoint', 'command', 'alias', 'ports', 'variables', 'pull_policy', 'docker'], itemPath, problems);
    const base = common(item, itemPath, problems);
    if (!base) return;
    const service: ServiceSpec = { ...base };
    if (item.alias !== undefined) service.alias = String(item.alias);
    if (item.command !== undefined) service.command = stringList(item.command, `${itemPath}:command`, problems);
    if (item.variables !== undefined) service.variables = parseVariables(item.variables, `${itemPath}:variables`, problems);
    services.push(service);
    void i;
  });
  return services;
}
