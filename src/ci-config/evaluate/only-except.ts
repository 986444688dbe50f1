import { matchesExpression } from '../expression/index.js';
import { compileRegexLiteral, splitRegexLiteral } from '../expression/regex.js';
import type { PipelineContext, PolicySpec } from '../types.js';
import { anyPathMatches } from './globs.js';
import type { RuleFacts } from './rules.js';

/** `only`'s default when a job uses neither `rules` nor `only` (and there are no `workflow:rules`). */
export const DEFAULT_ONLY: PolicySpec = { refs: ['branches', 'tags'] };

/** ActiveSupport's `pluralize` for the pipeline source names GitLab has. */
function pluralize(word: string): string {
  if (/(s|sh|ch|x|z)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/** Ci::Pipeline#branch?: not a tag and not a merge request pipeline. */
const isBranch = (ctx: PipelineContext) => !ctx.tag && ctx.source !== 'merge_request_event';

/**
 * Gitlab::Ci::Build::Policy::Refs#matches_pattern?: `tags`/`branches`, the pipeline source (its name
 * without `_event`, singular or plural: `schedule`/`schedules`, `merge_requests`), then — only for
 * branch and tag pipelines — a `/regex/` or the exact ref name. `pattern@group/project` limits it to a project.
 */
function refMatches(entry: string, ctx: PipelineContext): boolean {
  const at = entry.indexOf('@');
  const pattern = at === -1 ? entry : entry.slice(0, at);
  const project = ctx.predefinedVariables.CI_PROJECT_PATH;
  if (at !== -1 && project !== undefined && entry.slice(at + 1) !== project) return false;
  if (ctx.tag && pattern === 'tags') return true;
  if (isBranch(ctx) && pattern === 'branches') return true;
  const source = ctx.source.replace(/_event$/, '');
  if (pattern === source || pattern === pluralize(source)) return true;
  if (!isBranch(ctx) && !ctx.tag) return false;
  if (splitRegexLiteral(pattern) !== null) {
    const compiled = compileRegexLiteral(pattern);
    if (compiled.ok) return compiled.regex.test(ctx.ref);
  }
  return pattern === ctx.ref;
}

function safeMatch(expression: string, variables: ReadonlyMap<string, string>): boolean {
  try {
    return matchesExpression(expression, variables);
  } catch {
    return false;
  }
}

/** One Policy specification per key (Gitlab::Ci::Build::Policy.fabricate), each satisfied or not. */
function specifications(policy: PolicySpec, ctx: PipelineContext, facts: RuleFacts): boolean[] {
  const specs: boolean[] = [];
  if (policy.refs) specs.push(policy.refs.some((r) => refMatches(r, ctx)));
  if (policy.variables) specs.push(policy.variables.some((v) => safeMatch(v, facts.variables)));
  // Policy::Changes is satisfied when there is no diff to look at (new branch, tag, web, ...).
  if (policy.changes) specs.push(facts.changedPaths === null || anyPathMatches(policy.changes, facts.changedPaths));
  if (policy.kubernetes) specs.push(false);
  return specs;
}

/**
 * Seed::Build#included? for only/except: every `only` specification must hold and no `except` one
 * may (`@except.none?`) — one matching key of `except` is enough to drop the job. The default
 * `only: [branches, tags]` applies unless `workflow:rules` exist; a hash `only` without `refs` still
 * gets the default refs (Entry::Policy#value deep-merges the default).
 */
export function onlyExceptAllows(only: PolicySpec | null, except: PolicySpec | null, ctx: PipelineContext, facts: RuleFacts, workflowRules = false): boolean {
  const effectiveOnly = only === null ? (workflowRules ? null : DEFAULT_ONLY) : only.refs ? only : { ...only, refs: DEFAULT_ONLY.refs };
  if (effectiveOnly && !specifications(effectiveOnly, ctx, facts).every(Boolean)) return false;
  if (except && specifications(except, ctx, facts).some(Boolean)) return false;
  return true;
}
