import { matchesExpression } from '../expression/index.js';
import type { RuleSpec } from '../types.js';
import { anyPathMatches } from './globs.js';
import { expandVariables } from './variables.js';

/** What a rule's clauses are evaluated against. */
export interface RuleFacts {
  variables: ReadonlyMap<string, string>;
  /** null: unknown (e.g. a new branch); GitLab then treats `changes` as true. */
  changedPaths: string[] | null;
  /** Every file of the commit; null when unknown, and then `exists` is false. */
  files: string[] | null;
}

function clauseMatches(rule: RuleSpec, facts: RuleFacts): boolean {
  if (rule.if !== undefined && !matchesExpression(rule.if, facts.variables)) return false;
  if (rule.changes) {
    if (facts.changedPaths !== null) {
      const patterns = rule.changes.paths.map((p) => expandVariables(p, facts.variables));
      if (!anyPathMatches(patterns, facts.changedPaths)) return false;
    }
  }
  if (rule.exists) {
    if (facts.files === null) return false;
    const patterns = rule.exists.paths.map((p) => expandVariables(p, facts.variables));
    if (!anyPathMatches(patterns, facts.files)) return false;
  }
  return true;
}

/** GitLab's rules: the first rule whose clauses all match decides; none matching means the job is not added. */
export function firstMatchingRule(rules: RuleSpec[], facts: RuleFacts): RuleSpec | null {
  for (const rule of rules) if (clauseMatches(rule, facts)) return rule;
  return null;
}
