import { isHash, type Hash } from './deep-merge.js';
import { parseRules } from './keywords/rules.js';
import { checkKeys } from './keywords/shape.js';
import type { Problems } from './problems.js';
import type { RuleSpec } from './types.js';

/** The root entries of a config other than jobs: stages, default (and its legacy top-level forms), workflow. */

export const DEFAULT_STAGES = ['build', 'test', 'deploy'];
const MAX_STAGE_NESTING = 10;
/** Entry::Default's keys, in the order its entries are declared (the order conflicts are found in). */
const DEFAULT_ALLOWED = ['before_script', 'image', 'services', 'after_script', 'cache', 'interruptible', 'timeout', 'retry', 'tags', 'artifacts', 'hooks', 'id_tokens'];
/** Top-level keys that act as `default:` ones (inherit: true in Entry::Default). */
export const LEGACY_DEFAULTS = ['before_script', 'image', 'services', 'after_script', 'cache'];

function flattenStages(value: unknown, level: number): string[] | null {
  if (!Array.isArray(value) || level > MAX_STAGE_NESTING) return null;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else {
      const inner = flattenStages(item, level + 1);
      if (inner === null) return null;
      out.push(...inner);
    }
  }
  return out;
}

/**
 * `stages:` with EdgeStagesInjector: a non-empty list gets `.pre` first and `.post` last (any the user
 * listed at its top level are moved); absent or null means the defaults; `[]` means no stages at all.
 */
export function parseStages(value: unknown, problems: Problems): string[] {
  if (value === undefined || value === null) return ['.pre', ...DEFAULT_STAGES, '.post'];
  const list = flattenStages(value, 1);
  if (list === null) {
    problems.error('stages', 'config should be an array of strings or a nested array of strings up to 10 levels deep');
    return ['.pre', ...DEFAULT_STAGES, '.post'];
  }
  if (list.length === 0) return [];
  const topLevel = (value as unknown[]).filter((s) => s !== '.pre' && s !== '.post');
  const stages = ['.pre', ...(flattenStages(topLevel, 1) ?? []), '.post'];
  // GitLab keeps duplicates in the list but creates each stage once, at its first position.
  return stages.filter((s, i) => stages.indexOf(s) === i);
}

/**
 * `default:` merged with the legacy top-level keywords. Setting one both ways is an InheritError that
 * GitLab raises (the only error reported), found in Entry::Default's declaration order.
 */
export function parseDefaults(config: Hash, problems: Problems): { defaults: Hash; conflict: string | null } {
  const defaults: Hash = {};
  const own = config.default;
  if (own !== undefined && own !== null) {
    if (!isHash(own)) problems.error('default', 'config should be a hash');
    else {
      checkKeys(own, DEFAULT_ALLOWED, 'default', problems);
      for (const key of DEFAULT_ALLOWED) {
        if (!LEGACY_DEFAULTS.includes(key) || config[key] === undefined || config[key] === null) continue;
        if (own[key] !== undefined && own[key] !== null) return { defaults, conflict: `${key} is defined in top-level and \`default:\` entry` };
      }
      Object.assign(defaults, own);
    }
  }
  for (const key of LEGACY_DEFAULTS) if (config[key] !== undefined && config[key] !== null) defaults[key] = config[key];
  return { defaults, conflict: null };
}

export interface Workflow {
  rules: RuleSpec[] | null;
  name: string | null;
  autoCancel: { on_new_commit?: string; on_job_failure?: string } | null;
}

/** `workflow:` — `rules` (when: always/never), `name` (1..255 characters), `auto_cancel`. */
export function parseWorkflow(value: unknown, problems: Problems): Workflow {
  const workflow: Workflow = { rules: null, name: null, autoCancel: null };
  if (value === undefined || value === null) return workflow;
  if (!isHash(value)) {
    problems.error('workflow', 'config should be a hash');
    return workflow;
  }
  checkKeys(value, ['rules', 'name', 'auto_cancel'], 'workflow', problems);
  const rules = value.rules;
  if (Array.isArray(rules) && rules.length > 0) workflow.rules = parseRules(rules, 'workflow:rules', problems, 'workflow');
  else if (Array.isArray(rules) || rules === '') problems.error('workflow:rules', "config can't be blank");
  else if (rules !== undefined && rules !== null) problems.error('workflow:rules', 'config should be an array');
  const name = value.name;
  if (name !== undefined && name !== null) {
    const text = String(name);
    if (text.length < 1) problems.error('workflow name', 'is too short (minimum is 1 character)');
    else if (text.length > 255) problems.error('workflow name', 'is too long (maximum is 255 characters)');
    else workflow.name = text;
  }
  if (isHash(value.auto_cancel)) workflow.autoCancel = value.auto_cancel as Workflow['autoCancel'];
  return workflow;
}
