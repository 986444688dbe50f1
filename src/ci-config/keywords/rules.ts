import { isValidExpression } from '../expression/index.js';
import { isHash } from '../deep-merge.js';
import { parseDuration } from '../duration.js';
import type { Problems } from '../problems.js';
import type { RuleSpec, When } from '../types.js';
import { parseNeeds } from './needs.js';
import { checkKeys, stringList } from './shape.js';
import { parseVariables } from './variables.js';

export type RulesOwner = 'job' | 'workflow' | 'include';

const KEYS: Record<RulesOwner, string[]> = {
  job: ['if', 'changes', 'exists', 'when', 'start_in', 'allow_failure', 'variables', 'needs'],
  workflow: ['if', 'changes', 'exists', 'when', 'variables', 'auto_cancel'],
  include: ['if', 'changes', 'exists', 'when'],
};
const WHEN: Record<RulesOwner, string[]> = {
  job: ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'],
  workflow: ['always', 'never'],
  include: ['never', 'always'],
};

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

/** `rules:` of a job, of `workflow`, or of an `include`: a list of hashes, each checked against its owner's keys. */
export function parseRules(value: unknown, path: string, problems: Problems, owner: RulesOwner): RuleSpec[] {
  if (!Array.isArray(value)) {
    problems.error(path, 'config should be an array of hashes');
    return [];
  }
  const rules: RuleSpec[] = [];
  for (const raw of value) {
    const rulePath = `${path}:rule`;
    if (!isHash(raw)) {
      problems.error(rulePath, 'config should be a hash');
      continue;
    }
    checkKeys(raw, KEYS[owner], rulePath, problems);
    const rule: RuleSpec = {};
    if (raw.if !== undefined) {
      if (typeof raw.if !== 'string') problems.error(`${rulePath} if`, 'should be a string');
      else if (isValidExpression(raw.if) !== null) problems.error(`${rulePath} if`, 'invalid expression syntax');
      else rule.if = raw.if;
    }
    if (raw.changes !== undefined) rule.changes = pathsClause(raw.changes, `${rulePath}:changes`, problems, ['compare_to']);
    if (raw.exists !== undefined) {
      const clause = pathsClause(raw.exists, `${rulePath}:exists`, problems, ['project', 'ref']);
      if (clause) rule.exists = { paths: clause.paths };
    }
    if (raw.when !== undefined) {
      if (typeof raw.when !== 'string' || !WHEN[owner].includes(raw.when)) {
        problems.error(`${rulePath} when`, `unknown value: ${String(raw.when)}`);
      } else rule.when = raw.when as When;
    }
    if (raw.start_in !== undefined) {
      if (typeof raw.start_in !== 'string' || parseDuration(raw.start_in) === null) problems.error(`${rulePath} start in`, 'should be a duration');
      else rule.start_in = raw.start_in;
    }
    if (rule.when === 'delayed' && rule.start_in === undefined) problems.error(`${rulePath} start in`, "can't be blank");
    if (raw.allow_failure !== undefined) {
      if (typeof raw.allow_failure !== 'boolean') problems.error(`${rulePath} allow_failure`, 'should be a boolean value');
      else rule.allow_failure = raw.allow_failure;
    }
    if (raw.variables !== undefined) rule.variables = parseVariables(raw.variables, `${rulePath}:variables`, problems, false);
    if (raw.needs !== undefined && owner === 'job') rule.needs = parseNeeds(raw.needs, `${rulePath}:needs`, problems) ?? [];
    rules.push(rule);
  }
  return rules;
}
