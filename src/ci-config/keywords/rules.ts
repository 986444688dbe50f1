import { isHash } from '../deep-merge.js';
import { isValidExpression } from '../expression/index.js';
import type { Problems } from '../problems.js';
import type { RuleSpec, When } from '../types.js';
import { checkDuration, ONE_WEEK } from './durations.js';
import { parseNeeds } from './needs.js';
import { checkKeys, stringList } from './shape.js';
import { parseVariables } from './variables.js';

export type RulesOwner = 'job' | 'workflow' | 'include';

/** A job rule may also set `interruptible` (GitLab 16.10+); kept here rather than widening the shared RuleSpec. */
export interface JobRuleSpec extends RuleSpec {
  interruptible?: boolean;
}

const KEYS: Record<RulesOwner, string[]> = {
  job: ['if', 'changes', 'exists', 'when', 'start_in', 'allow_failure', 'variables', 'needs', 'interruptible'],
  workflow: ['if', 'changes', 'exists', 'when', 'start_in', 'allow_failure', 'variables', 'needs', 'auto_cancel'],
  include: ['if', 'changes', 'exists', 'when'],
};
const WHEN: Record<RulesOwner, string[]> = {
  job: ['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed'],
  workflow: ['always', 'never'],
  include: ['never', 'always'],
};
const MAX_NESTING = 10;

function pathsClause(value: unknown, path: string, problems: Problems, extraKeys: string[]): { paths: string[]; compare_to?: string } | undefined {
  if (Array.isArray(value) || typeof value === 'string') return { paths: stringList(value, path, problems) };
  if (isHash(value)) {
    checkKeys(value, ['paths', ...extraKeys], path, problems);
    const clause: { paths: string[]; compare_to?: string } = { paths: stringList(value.paths, `${path}:paths`, problems) };
    if (typeof value.compare_to === 'string') clause.compare_to = value.compare_to;
    return clause;
  }
  problems.error(path, 'should be an array or a hash');
  return undefined;
}

/** Rules are flattened (nested arrays come from `!reference`), up to 10 levels. */
function flattenRules(value: unknown[], depth = 1): unknown[] | null {
  if (depth > MAX_NESTING) return null;
  const out: unknown[] = [];
  for (const item of value) {
    if (!Array.isArray(item)) out.push(item);
    else {
      const inner = flattenRules(item, depth + 1);
      if (inner === null) return null;
      out.push(...inner);
    }
  }
  return out;
}

/** One Entry::Rules::Rule, its errors under "<owner>:rules:rule". */
function parseRule(raw: unknown, rulePath: string, problems: Problems, owner: RulesOwner): JobRuleSpec | null {
  if (!isHash(raw)) {
    problems.error(rulePath, raw === null || raw === undefined ? "config can't be blank" : 'config should be a hash');
    return null;
  }
  const rule: JobRuleSpec = {};
  const delayed = raw.when === 'delayed';
  const timed = KEYS[owner].includes('start_in');
  if (timed && raw.start_in !== undefined && !delayed) problems.error(rulePath, 'config contains disallowed keys: start_in');
  if (timed && delayed) {
    if (raw.start_in === undefined || raw.start_in === null || raw.start_in === '') problems.error(`${rulePath} start in`, "can't be blank");
    if (checkDuration(raw.start_in, `${rulePath} start in`, problems, ONE_WEEK) !== null) rule.start_in = raw.start_in as string;
  }
  if (raw.if !== undefined && raw.if !== null) {
    // ExpressionValidator: the value must be a String that parses.
    if (typeof raw.if !== 'string' || isValidExpression(raw.if) !== null) problems.error(`${rulePath} if`, 'invalid expression syntax');
    else rule.if = raw.if;
  }
  for (const flag of ['allow_failure', 'interruptible'] as const) {
    if (raw[flag] === undefined || raw[flag] === null || !KEYS[owner].includes(flag)) continue;
    if (typeof raw[flag] !== 'boolean') problems.error(`${rulePath} ${flag.replace('_', ' ')}`, 'should be a boolean value');
    else rule[flag] = raw[flag] as boolean;
  }
  if (raw.when !== undefined && raw.when !== null) {
    if (!WHEN[owner].includes(String(raw.when))) problems.error(`${rulePath} when`, `unknown value: ${String(raw.when)}`);
    else rule.when = raw.when as When;
  }
  checkKeys(raw, KEYS[owner], rulePath, problems);
  if (raw.changes !== undefined) rule.changes = pathsClause(raw.changes, `${rulePath}:changes`, problems, ['compare_to']);
  if (raw.exists !== undefined) {
    const clause = pathsClause(raw.exists, `${rulePath}:exists`, problems, ['project', 'ref']);
    if (clause) rule.exists = { paths: clause.paths };
  }
  if (raw.variables !== undefined) rule.variables = parseVariables(raw.variables, `${rulePath}:variables`, problems, false);
  if (raw.needs !== undefined && owner === 'job') rule.needs = parseNeeds(raw.needs, `${rulePath}:needs`, problems) ?? [];
  return rule;
}

/**
 * `rules:` of a job, of `workflow`, or of an `include`: a list of hashes (nested lists flattened),
 * each checked against its owner's keys. A job's non-list `rules` is reported by the job entry itself.
 */
export function parseRules(value: unknown, path: string, problems: Problems, owner: RulesOwner): RuleSpec[] {
  const flat = Array.isArray(value) ? flattenRules(value) : null;
  if (flat === null) {
    if (owner !== 'job') problems.error(path, 'config should be an array of hashes');
    return [];
  }
  const rules: RuleSpec[] = [];
  for (const raw of flat) {
    const rule = parseRule(raw, `${path}:rule`, problems, owner);
    if (rule) rules.push(rule);
  }
  return rules;
}
