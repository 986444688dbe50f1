import { isHash } from '../deep-merge.js';
import type { Problems } from '../problems.js';
import type { YamlVariable } from '../types.js';

/** Data keys a `KEY: {value: ...}` variable may carry: root `variables:`, job `variables:`, or none (rules, services). */
export const ROOT_VARIABLE_DATA = ['value', 'description', 'expand', 'options'] as const;
export const JOB_VARIABLE_DATA = ['value', 'expand'] as const;

/** GitLab's AlphanumericValidator: a String, Symbol or Integer (floats and booleans are not). */
const alphanumeric = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

/** One `KEY: {value, description, expand, options}` entry; returns null after reporting its problems. */
function complexVariable(key: string, raw: Record<string, unknown>, path: string, allowed: readonly string[], problems: Problems): YamlVariable | null {
  const at = `${path}:${key}`;
  const before = problems.errors.length;
  if ('value' in raw && !Array.isArray(raw.value) && !alphanumeric(raw.value)) problems.error(`${at} config value`, 'must be an alphanumeric string');
  if ('description' in raw && !alphanumeric(raw.description)) problems.error(`${at} config description`, 'must be an alphanumeric string');
  if ('expand' in raw && typeof raw.expand !== 'boolean') problems.error(`${at} config expand`, 'should be a boolean value');
  if (allowed.length === 0) problems.error(at, 'config must be a string');
  else {
    const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
    if (extra.length > 0) problems.error(at, `config uses invalid data keys: ${extra.join(', ')}`);
  }
  const options = raw.options;
  if (options !== undefined && (!Array.isArray(options) || options.some((o) => typeof o !== 'string'))) problems.error(`${at} config options`, 'should be an array of strings');
  else if (Array.isArray(options) && options.length > 0 && !options.includes(raw.value)) problems.error(at, 'config value must be present in options');
  // A list `value` is only allowed for pipeline inputs (value_options), never in a CI config.
  if (Array.isArray(raw.value)) problems.error(at, 'config value must be an alphanumeric string');
  if (problems.errors.length > before) return null;
  return {
    key,
    value: raw.value === undefined || raw.value === null ? '' : String(raw.value),
    ...(typeof raw.description === 'string' && allowed.includes('description') ? { description: raw.description } : {}),
    expand: raw.expand !== false,
  };
}

/**
 * `variables:` — `KEY: value` (a string or an integer) or `KEY: {value, ...}` with the data keys the
 * owner allows (`allowed`: true = a job's, false = none, or an explicit list). Messages are GitLab's
 * Entry::Variables / Entry::Variable ones.
 */
export function parseVariables(value: unknown, path: string, problems: Problems, allowed: boolean | readonly string[] = true): YamlVariable[] {
  if (value === undefined || value === null) return [];
  const dataKeys = allowed === true ? JOB_VARIABLE_DATA : allowed === false ? [] : allowed;
  if (!isHash(value)) {
    problems.error(path, 'config should be a hash');
    return [];
  }
  const out: YamlVariable[] = [];
  let ok = true;
  for (const [key, raw] of Object.entries(value)) {
    if (alphanumeric(raw)) out.push({ key, value: String(raw), expand: true });
    else if (isHash(raw)) {
      const variable = complexVariable(key, raw, path, dataKeys, problems);
      if (variable) out.push(variable);
      else ok = false;
    } else {
      // Entry::Variable::UnknownStrategy: reported without a location.
      problems.plain('variable definition must be either a string or a hash');
      ok = false;
    }
  }
  return ok ? out : [];
}

/** Later lists win per key; a key keeps the position of its first appearance (Ruby's Hash#merge). */
export function overlayVariables(...lists: YamlVariable[][]): YamlVariable[] {
  const byKey = new Map<string, YamlVariable>();
  for (const list of lists) for (const v of list) byKey.set(v.key, v);
  return [...byKey.values()];
}
